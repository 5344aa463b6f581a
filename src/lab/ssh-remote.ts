// The POSIX shell the SSH lab runs on a host: the host's record of what a run created there (written before each
// thing is created), node start-up with its pid recorded, signals checked against start times, and the sweep.
import { sq } from './ssh-conn.js';

/**
 * On each host, under its dir D:
 *   D/.faultline/<runid>.run   the run's record, one line per thing: "owner PID START", "dir PATH",
 *                              "proc PID START WHAT", "chain TABLE PARENT CHAIN", "qdisc DEV",
 *                              "shm PID START" (libfaketime's /dev/shm files of a node started under it)
 *   D/fl-<runid>/              the run's files (nodes/<n>/ mirrors the local run directory, pkg/ uploads)
 * The owner is the run's guard: a session that lives exactly as long as the control node's connection, so a
 * sweep from any machine can tell a dead run from a live one.
 */
export const recordDir = (dir: string): string => `${dir}/.faultline`;
export const recordFile = (dir: string, runId: string): string => `${recordDir(dir)}/${runId}.run`;
export const runDirOn = (dir: string, runId: string): string => `${dir}/fl-${runId}`;
/** The marker value remote processes carry in FAULTLINE_REGISTRY: which host dir's records own them. */
export const remoteRegistry = (dir: string): string => `ssh:${dir}`;

/** Where Debian's libfaketime puts its preload library (probed on each host; system/faketime.ts uses it here). */
export const FAKETIME_LIBS = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'];

/** libfaketime's shared-memory files of a pid (it names them by the pid that loaded it, removes them on a clean exit). */
export const faketimeShm = (pid: number | string): string[] => [`/dev/shm/faketime_shm_${pid}`, `/dev/shm/sem.faketime_sem_${pid}`];

/** Kernel start time of a pid (field 22 of /proc/PID/stat; the command name may hold spaces). */
const ST = `st() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }`;

/** The guard: records the run as owned by this very session, then lives until the connection closes. */
export function guardScript(dir: string, runId: string, controller: string): string {
  const R = sq(recordFile(dir, runId));
  return [
    ST,
    `mkdir -p ${sq(recordDir(dir))} || exit 1`,
    `echo "owner $$ $(st $$) ${controller.replace(/[^A-Za-z0-9._-]/g, '_')}" >> ${R}`,
    `echo "dir ${runDirOn(dir, runId)}" >> ${R}`,
    `mkdir -p ${sq(runDirOn(dir, runId))} || exit 1`,
    'echo ready',
    'exec cat >/dev/null',
  ].join('\n');
}

/** One-time set-up on a host: the run's iptables chains, the host's interface and whether tc netem exists. */
export function setupScript(dir: string, runId: string, address: string, chains: { table: string; parent: string; chain: string }[]): string {
  const R = sq(recordFile(dir, runId));
  return [
    ...chains.map((c) => `echo "chain ${c.table} ${c.parent} ${c.chain}" >> ${R}`),
    'command -v iptables-restore >/dev/null || { echo "iptables-restore not found: apt-get install iptables" >&2; exit 4; }',
    'iptables-restore -w --noflush || exit 5',
    `iface=$(ip -o -4 addr show 2>/dev/null | awk -v a=${sq(address)} '{ split($4, x, "/"); if (x[1] == a) print $2 }' | head -n 1)`,
    'echo "iface $iface"',
    // Probed without touching a qdisc: the module (or a built-in) is what decides.
    'if command -v tc >/dev/null && { [ -d /sys/module/sch_netem ] || modinfo sch_netem >/dev/null 2>&1; }; then echo "netem yes"; else echo "netem no"; fi',
    'if command -v tc >/dev/null; then echo "tc yes"; else echo "tc no"; fi',
    `for l in ${FAKETIME_LIBS.map(sq).join(' ')}; do if [ -e "$l" ]; then echo "faketime $l"; break; fi; done`,
  ].join('\n');
}

export interface StartSpec {
  dir: string;
  runId: string;
  what: string;
  /** Command as given: an absolute local path is tried there first, then its name on the host's PATH. */
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  mkdirs: string[];
  /** Files truncated before the start (they are streamed back from byte 1). */
  outputs: string[];
  /** Where stdout+stderr go on the host (streamed back on this session's stdout), or undefined. */
  out?: string;
  /**
   * Environment with LD_PRELOAD (libfaketime) given to the node alone, through env(1) right before it: the
   * wrapper first records "shm PID START" (the files libfaketime will name by this pid) and then execs, so the
   * record is written before the files exist and the pid is the node's own.
   */
  preload?: Record<string, string>;
}

/**
 * Starts a node detached (its own session, output to a file, stdin closed) so it outlives this ssh session,
 * records its pid and start time in the host's record, reports them on stderr ("pid P S"), streams its output
 * on stdout, and reports how it ended ("exit RC").
 */
export function startScript(s: StartSpec): string {
  const name = s.command.split('/').pop()!;
  const envs = Object.entries(s.env).map(([k, v]) => `${k}=${sq(v)}`).join(' ');
  const out = s.out ? sq(s.out) : '/dev/null';
  const R = sq(recordFile(s.dir, s.runId));
  // $$ of the wrapper is the node's pid: exec keeps it (and its start time).
  const wrap = s.preload
    ? `sh -c ${sq(`echo "shm $$ $(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)" >> "$1" || exit 1; shift; exec "$@"`)} sh ${R} env ${Object.entries(s.preload).map(([k, v]) => sq(`${k}=${v}`)).join(' ')} `
    : '';
  return [
    ST,
    ...s.mkdirs.map((d) => `mkdir -p ${sq(d)} || exit 1`),
    ...s.outputs.map((f) => `: > ${sq(f)}`),
    `b=${sq(s.command)}`,
    `case "$b" in /*) [ -x "$b" ] || b=$(command -v ${sq(name)}) ;; *) b=$(command -v "$b") ;; esac`,
    `[ -n "$b" ] || { echo "missing ${name}" >&2; exit 127; }`,
    `cd ${sq(s.cwd)} || exit 1`,
    `${envs} setsid ${wrap}"$b" ${s.args.map(sq).join(' ')} > ${out} 2>&1 < /dev/null &`,
    'p=$!',
    `echo "proc $p $(st $p) ${s.what.replace(/[^A-Za-z0-9._ -]/g, '_')}" >> ${sq(recordFile(s.dir, s.runId))}`,
    'echo "pid $p $(st $p)" >&2',
    ...(s.out ? [`tail -c +1 -F -s 0.1 --pid=$p ${out} 2>/dev/null &`] : []),
    'wait $p; rc=$?',
    'wait',
    'echo "exit $rc" >&2',
  ].join('\n');
}

/** Streams a file the node writes (its own log) from byte 1 until the node exits. */
export const followScript = (file: string, pid: number): string => `exec tail -c +1 -F -s 0.1 --pid=${pid} ${sq(file)} 2>/dev/null`;

/** Signals a pid only if it is still the process we started (same start time). */
export function signalScript(pid: number, startTime: string, signal: string): string {
  return [ST, `[ "$(st ${pid})" = ${sq(startTime)} ] && kill -s ${signal.replace(/^SIG/, '')} ${pid}`].join('\n');
}

/**
 * Removes what runs left on a host: for each record (all, or `only`), unless its guard still lives (and not
 * `force`): its processes (recorded, or carrying the run's marker), chains, qdiscs and directories, then the
 * record. Marked processes of runs with no record left go too. Prints one line per thing removed.
 */
export function sweepScript(dir: string, only: string | undefined, force: boolean): string {
  const reg = remoteRegistry(dir);
  return [
    ST,
    `D=${sq(dir)}; ONLY=${sq(only ?? '')}; FORCE=${force ? 1 : 0}; REG=${sq(`FAULTLINE_REGISTRY=${reg}`)}`,
    // Our processes, as "pid runid" lines: marked with this host dir's registry.
    'marked() { grep -lzxF "$REG" /proc/[0-9]*/environ 2>/dev/null | while read -r e; do p=${e#/proc/}; p=${p%/environ}; id=$(grep -zo "^FAULTLINE_RUN=.*" "$e" 2>/dev/null | tr -d "\\0"); echo "$p ${id#FAULTLINE_RUN=}"; done; }',
    'gone() { n=0; while [ -n "$(st $1)" ] && [ "$(cut -d" " -f3 /proc/$1/stat 2>/dev/null)" != Z ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; }',
    'cd "$D/.faultline" 2>/dev/null || exit 0',
    'M=$(marked)',
    'for R in *.run; do',
    '  [ -e "$R" ] || continue',
    '  id=${R%.run}',
    '  [ -n "$ONLY" ] && [ "$id" != "$ONLY" ] && continue',
    '  read -r _ gp gs _ < "$R"',
    '  if [ -n "$gp" ] && [ "$(st "$gp")" = "$gs" ]; then',
    '    if [ "$FORCE" != 1 ]; then echo "live $id"; continue; fi',
    '    kill -9 "$gp" 2>/dev/null',
    '  fi',
    '  while read -r k a b w; do if [ "$k" = proc ] && [ "$(st "$a")" = "$b" ]; then kill -9 "$a" 2>/dev/null && echo "removed process $a ($w)"; gone "$a"; fi; done < "$R"',
    '  echo "$M" | while read -r p pid_run; do if [ "$pid_run" = "$id" ] && [ -n "$p" ]; then kill -9 "$p" 2>/dev/null && echo "removed unrecorded process $p"; gone "$p"; fi; done',
    '  while read -r k a b c; do case "$k" in',
    '    chain) while iptables -w -t "$a" -D "$b" -j "$c" 2>/dev/null; do :; done; iptables -w -t "$a" -F "$c" 2>/dev/null; iptables -w -t "$a" -X "$c" 2>/dev/null && echo "removed iptables chain $c" ;;',
    '    qdisc) tc qdisc del dev "$a" root 2>/dev/null && echo "removed qdisc on $a" ;;',
    // Only while the pid is not someone else's now (its processes were killed above).
    `    shm) if [ -z "$(st "$a")" ] || [ "$(st "$a")" = "$b" ]; then for f in ${faketimeShm('"$a"').join(' ')}; do if [ -e "$f" ]; then rm -f "$f" && echo "removed file $f"; fi; done; fi ;;`,
    '    dir) case "$a" in *"$id"*) if [ -e "$a" ]; then rm -rf "$a" && echo "removed directory $a"; fi ;; esac ;;',
    '  esac; done < "$R"',
    '  rm -f "$R" && echo "done $id"',
    'done',
    // Marked processes whose run has no record any more (the record is removed last): leftovers.
    'if [ -z "$ONLY" ]; then echo "$M" | while read -r p id; do if [ -n "$p" ] && [ ! -e "$id.run" ]; then kill -9 "$p" 2>/dev/null && echo "removed unrecorded process $p of run $id"; fi; done; fi',
    'exit 0',
  ].join('\n');
}

/** Writes a file on the host atomically (a reader never sees half of it): its directory is created first. */
export function putFileScript(path: string): string {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return `mkdir -p ${sq(dir)} && cat > ${sq(`${path}.tmp`)} && mv -f ${sq(`${path}.tmp`)} ${sq(path)}`;
}

/** Removes an ended node's libfaketime files unless its pid is now another process's (start time differs). */
export function shmRemoveScript(pid: number, startTime: string): string {
  return [ST, `s=$(st ${pid}); if [ -z "$s" ] || [ "$s" = ${sq(startTime)} ]; then rm -f ${faketimeShm(pid).map(sq).join(' ')}; fi`].join('\n');
}

/** What a host still holds of a run (for tests and `lab status`): record lines, marked processes, chains. */
export function leftoversScript(dir: string, runId: string): string {
  const reg = remoteRegistry(dir);
  return [
    `[ -e ${sq(recordFile(dir, runId))} ] && echo "record ${recordFile(dir, runId)}"`,
    `[ -e ${sq(runDirOn(dir, runId))} ] && echo "dir ${runDirOn(dir, runId)}"`,
    `for e in $(grep -lzxF ${sq(`FAULTLINE_RUN=${runId}`)} /proc/[0-9]*/environ 2>/dev/null); do grep -qzxF ${sq(`FAULTLINE_REGISTRY=${reg}`)} "$e" 2>/dev/null && echo "process $e"; done`,
    `iptables -w -S 2>/dev/null | grep -F ${sq(`fl-${runId}-`)} | sed 's/^/rule /'`,
    `tc qdisc show 2>/dev/null | grep -v -e noqueue -e 'qdisc mq' -e pfifo_fast -e fq_codel | sed 's/^/qdisc /'`,
    'exit 0',
  ].join('\n');
}
