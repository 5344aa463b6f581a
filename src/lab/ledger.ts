// The run ledger: every resource a run creates is written down (before it is created) so that exit,
// Ctrl-C, or `faultline lab sweep` after a crash can remove it, and nothing else.
import { execFile } from 'node:child_process';
import { markedProcesses, type MarkedProcess } from './marker.js';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeAtomic } from '../util/atomic.js';
import type { Resource, SweepReport } from './resource.js';

export type { Resource, SweepReport } from './resource.js';
import { faketimeFilesOf, isAlive, processStartTime, ledgerDir } from './proc.js';

// Labs, the CLI and tests import these from here, beside the records they guard.
export { isAlive, processStartTime, ledgerDir };

const run = promisify(execFile);

export interface RunRecord {
  runId: string;
  ownerPid: number;
  ownerStartTime: string;
  startedAt: string;
  lab: string;
  resources: Resource[];
}

/** A short id safe in every name the kernel limits (interface names are at most 15 bytes). */
export function newRunId(): string {
  return Math.random().toString(36).slice(2, 8);
}

export class RunLedger {
  private constructor(
    private readonly file: string,
    private readonly record: RunRecord,
  ) {}

  static create(runId: string, lab: string): RunLedger {
    const file = join(ledgerDir(), `${runId}.json`);
    const record: RunRecord = {
      runId,
      ownerPid: process.pid,
      ownerStartTime: processStartTime(process.pid) ?? '',
      startedAt: new Date().toISOString(),
      lab,
      resources: [],
    };
    const reg = new RunLedger(file, record);
    reg.save();
    return reg;
  }

  get runId(): string {
    return this.record.runId;
  }

  /** Record a resource *before* creating it, so a crash in between still leaves a trace to sweep. */
  add(resource: Resource): void {
    this.record.resources.push(resource);
    this.save();
  }

  /** Forget a resource that has been removed by its owner. */
  forget(match: (r: Resource) => boolean): void {
    this.record.resources = this.record.resources.filter((r) => !match(r));
    this.save();
  }

  resources(): readonly Resource[] {
    return this.record.resources;
  }

  /** Remove every recorded resource (newest first) and the record itself. Errors are collected, not thrown. */
  async release(): Promise<string[]> {
    const errors = await removeAll(this.record.resources);
    this.record.resources = [];
    rmSync(this.file, { force: true });
    return errors;
  }

  // Synchronous and atomic (write + rename): the record must be on disk before the resource exists.
  private save(): void {
    writeAtomic(this.file, JSON.stringify(this.record, null, 1));
  }
}

async function removeAll(resources: readonly Resource[]): Promise<string[]> {
  const errors: string[] = [];
  // Processes first (so nothing re-creates state), then the rest newest first.
  // Rules and qdiscs inside a namespace that is itself on the list vanish with it: removing them one by one
  // first would cost ~150 ms each for nothing.
  const doomed = new Set(resources.flatMap((r) => (r.kind === 'netns' ? [r.name] : [])));
  const inDoomedNs = (r: Resource): boolean =>
    (r.kind === 'iptables-chain' || r.kind === 'qdisc') && r.netns !== undefined && doomed.has(r.netns);
  const rest = resources.filter((r) => r.kind !== 'process' && !inDoomedNs(r));
  const ordered = [...resources.filter((r) => r.kind === 'process'), ...rest.reverse()];
  for (const r of ordered) {
    try {
      await removeResource(r);
    } catch (e) {
      errors.push(`${describeResource(r)}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return errors;
}

export function describeResource(r: Resource): string {
  switch (r.kind) {
    case 'process':
      return `process ${r.pid} (${r.what})`;
    case 'netns':
      return `namespace ${r.name}`;
    case 'link':
      return `link ${r.name}`;
    case 'iptables-chain':
      return `iptables chain ${r.chain}${r.netns ? ` in ${r.netns}` : ''}`;
    case 'qdisc':
      return `qdisc on ${r.dev}${r.netns ? ` in ${r.netns}` : ''}`;
    case 'dir':
      return `directory ${r.path}`;
    case 'cgroup':
      return `cgroup ${r.path}`;
    case 'ssh-host':
      return `processes, rules and files of run ${r.runId} on ssh host ${r.host.user}@${r.host.address}:${r.host.port}`;
  }
}

const inNs = (netns: string | undefined, cmd: string[]): [string, string[]] =>
  netns ? ['ip', ['netns', 'exec', netns, ...cmd]] : [cmd[0]!, cmd.slice(1)];

async function quiet(cmd: [string, string[]]): Promise<void> {
  try {
    await run(cmd[0], cmd[1]);
  } catch {
    // Already gone is the normal case when sweeping twice.
  }
}

async function waitGone(pid: number, startTime: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid, startTime)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return !isAlive(pid, startTime);
}

/** Remove one resource; absent resources are not an error. */
export async function removeResource(r: Resource): Promise<void> {
  switch (r.kind) {
    case 'process': {
      // Its libfaketime files, read before the start time is checked so they are this process's: a run records
      // them right after the fork, but a crash between the two writes (or a process found by its marker alone)
      // leaves only the process on record, and the SIGKILL below would leave the files in /dev/shm.
      const faketime = faketimeFilesOf(r.pid);
      if (!isAlive(r.pid, r.startTime)) return;
      // A stopped process ignores SIGTERM until continued; SIGKILL is what a lab teardown wants anyway.
      // A node busy in uninterruptible disk I/O (a fresh member preallocates 128 MB of WAL) dies only when
      // the I/O returns, which takes seconds on a loaded machine: hence the long wait below.
      process.kill(r.pid, 'SIGKILL');
      if (!(await waitGone(r.pid, r.startTime, 10_000))) throw new Error('did not exit after SIGKILL');
      for (const f of faketime) rmSync(f, { force: true });
      return;
    }
    case 'netns':
      if (existsSync(`/run/netns/${r.name}`)) await run('ip', ['netns', 'del', r.name]);
      return;
    case 'link':
      await quiet(['ip', ['link', 'del', r.name]]);
      return;
    case 'iptables-chain': {
      if (r.netns && !existsSync(`/run/netns/${r.netns}`)) return;
      const t = ['-w', '-t', r.table ?? 'filter'];
      for (const p of r.parents) {
        // Delete every jump to the chain (it might have been added twice by a retried step).
        for (let i = 0; i < 8; i++) {
          try {
            await run(...inNs(r.netns, ['iptables', ...t, '-D', p, '-j', r.chain]));
          } catch {
            break;
          }
        }
      }
      await quiet(inNs(r.netns, ['iptables', ...t, '-F', r.chain]));
      await quiet(inNs(r.netns, ['iptables', ...t, '-X', r.chain]));
      return;
    }
    case 'qdisc':
      if (r.netns && !existsSync(`/run/netns/${r.netns}`)) return;
      await quiet(inNs(r.netns, ['tc', 'qdisc', 'del', 'dev', r.dev, 'root']));
      return;
    case 'dir':
      rmSync(r.path, { recursive: true, force: true });
      return;
    case 'cgroup':
      if (existsSync(r.path)) rmSync(r.path, { recursive: false, force: true });
      return;
    case 'ssh-host':
      // Loaded on demand: only runs that used the ssh lab need it.
      await (await import('./ssh-sweep.js')).sweepHostRun(r);
      return;
  }
}


/**
 * Remove the leftovers of runs whose owner process is gone (or of every run when `all`); `only` limits it
 * to one run id.
 * Never touches a live run of another faultline process.
 */
export async function sweep(all = false, only?: string): Promise<SweepReport[]> {
  const dir = ledgerDir();
  const reports: SweepReport[] = [];
  const recorded = new Set<string>();
  const marked = markedProcesses(only);
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    // A record we cannot read still protects its run's processes from the orphan pass below.
    recorded.add(f.slice(0, -'.json'.length));
    let rec: RunRecord;
    try {
      rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord;
    } catch {
      continue;
    }
    if (only !== undefined && rec.runId !== only) continue;
    const ownerAlive = isAlive(rec.ownerPid, rec.ownerStartTime);
    if (ownerAlive && !all) continue;
    // Processes that carry the run's marker but missed the record (killed between fork and write) go too.
    const strays = marked.filter((m) => m.runId === rec.runId && !rec.resources.some((r) => r.kind === 'process' && r.pid === m.pid));
    const resources = [...strays.map(strayResource), ...rec.resources];
    const errors = await removeAll(resources);
    reports.push({ runId: rec.runId, ownerAlive, removed: resources.map(describeResource), errors });
    if (errors.length === 0) rmSync(join(dir, f), { force: true });
  }
  // Marked processes of a run with no record left: its owner is gone (the record is written before anything
  // is started and removed only after everything recorded was removed).
  const orphans = new Map<string, MarkedProcess[]>();
  for (const m of marked) if (!recorded.has(m.runId)) orphans.set(m.runId, [...(orphans.get(m.runId) ?? []), m]);
  for (const [runId, found] of orphans) {
    // A run that was finishing while we looked has removed its processes and then its record: not an orphan.
    const procs = found.filter((m) => isAlive(m.pid, m.startTime));
    if (procs.length === 0 || existsSync(join(dir, `${runId}.json`))) continue;
    const resources = procs.map(strayResource);
    reports.push({ runId, ownerAlive: false, removed: resources.map(describeResource), errors: await removeAll(resources) });
  }
  return reports;
}

function strayResource(m: MarkedProcess): Resource {
  return { kind: 'process', pid: m.pid, startTime: m.startTime, what: `unrecorded process of run ${m.runId}` };
}

/**
 * At the start of a run: remove what runs killed earlier left behind, so a crash costs nothing but the next
 * start's few milliseconds. `FAULTLINE_START_SWEEP=off` skips it (for a harness that inspects a crashed run's
 * leftovers before sweeping them itself). Failures are reported, never fatal: the records stay for `lab sweep`.
 */
export async function sweepDeadRuns(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<SweepReport[]> {
  if (process.env['FAULTLINE_START_SWEEP'] === 'off') return [];
  let reports: SweepReport[];
  try {
    reports = await sweep(false);
  } catch (e) {
    log(`faultline: could not sweep dead runs (${(e as Error).message.split('\n')[0]}); run \`faultline lab sweep\``);
    return [];
  }
  if (reports.length > 0) {
    const failed = reports.filter((r) => r.errors.length > 0);
    log(`faultline: removed the leftovers of ${reports.length} dead run(s) (${reports.map((r) => r.runId).join(', ')})${failed.length ? `; ${failed.length} incomplete, run \`faultline lab sweep\`` : ''}`);
  }
  return reports;
}

/** Records of runs currently registered on this machine (for `lab status`). */
export function listRuns(): (RunRecord & { ownerAlive: boolean })[] {
  const dir = ledgerDir();
  const out: (RunRecord & { ownerAlive: boolean })[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord;
      out.push({ ...rec, ownerAlive: isAlive(rec.ownerPid, rec.ownerStartTime) });
    } catch {
      // A half-written record (crash mid-rename) is ignored; its .tmp sibling never matches *.json.
    }
  }
  return out;
}
