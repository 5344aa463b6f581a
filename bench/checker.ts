// Benchmarks the linearizability checker on Porcupine's corpus, a generated high-concurrency cas set and a 1M-op history.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkOperations, checkSync, closeWorkers, toOperations } from '../src/checker/index.js';
import { loadHistory } from '../src/history/import/load.js';
import { readHistory } from '../src/history/reader.js';
import { createModel } from '../src/model/registry.js';
import { shapeOf, writeCasHistory } from './cas-histories.js';
import { writeSyntheticHistory } from './synthetic-history.js';

// Compiled to dist/bench/checker.js: the repository is two levels up; the corpus is the test fixtures' copy.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(REPO, 'test/checker/fixtures/porcupine/');
const SYNTHETIC = join(tmpdir(), 'faultline-bench', 'synthetic-1m.jsonl');
/** The generated high-concurrency cas-register set: how many histories, from which seed (--cas-count, --cas-seed). */
const CAS_COUNT = Number(flag('--cas-count') ?? 40);
const CAS_SEED = Number(flag('--cas-seed') ?? 7);
const CAS_DIR = join(tmpdir(), 'faultline-bench', `cas-${CAS_SEED}-${CAS_COUNT}`);
/** Per-file limit for the generated set, so one intractable history cannot stall the benchmark. */
const CAS_TIMEOUT_S = 20;
/** A Porcupine (Go) checkout to compare against (--porcupine DIR or PORCUPINE_DIR); rounds per side (--rounds). */
const PORCUPINE_DIR = flag('--porcupine') ?? process.env.PORCUPINE_DIR;
const ROUNDS = Number(flag('--rounds') ?? 5);
/**
 * Rounds of the cas set's one-file-at-a-time comparison: its files take tens to hundreds of µs on either
 * side, where one scavenge or one busy neighbour moves a file's median over 5 rounds past the other side's.
 * A round costs about 2 s (nearly all Porcupine's), so it takes more rounds than the rest.
 */
const SEQ_ROUNDS = Math.max(ROUNDS, 11);
/** Options that take a value: that value is not a section name. */
const VALUE_FLAGS = new Set(['--cas-count', '--cas-seed', '--porcupine', '--rounds']);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Report {
  section: string;
  lines: string[];
  figures: Record<string, number | string | boolean>;
}

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

/** Each section runs in its own process, so its peak RSS is its own (worker threads included). */
const SECTIONS: Record<string, () => Promise<Report>> = {
  async jepsen() {
    const files = readdirSync(CORPUS + 'jepsen').sort();
    const t0 = performance.now();
    let checkMs = 0;
    const rows: [string, number, boolean | string][] = [];
    for (const f of files) {
      const { ops } = await loadHistory(CORPUS + 'jepsen/' + f);
      const t = performance.now();
      const r = checkSync(ops, createModel({ name: 'cas-register' }));
      const dt = performance.now() - t;
      checkMs += dt;
      rows.push([f, dt, r.valid]);
    }
    const total = ms(t0);
    rows.sort((a, b) => b[1] - a[1]);
    return {
      section: 'jepsen',
      lines: [`jepsen etcd corpus, ${files.length} files, in-process (cold JIT): check ${checkMs.toFixed(1)} ms, load+check ${total} ms`, `  slowest: ${rows.slice(0, 5).map(([f, t, v]) => `${f} ${t.toFixed(1)} ms (${v})`).join(', ')}`],
      figures: { jepsenCheckMs: Math.round(checkMs * 10) / 10, jepsenTotalMs: total, slowestFile: rows[0][0], slowestMs: Math.round(rows[0][1] * 10) / 10, linearizable: rows.filter((r) => r[2] === true).length },
    };
  },

  // Porcupine's figures are verdicts alone; ours are given both ways: verdict only (evidence 'none', what
  // `check --json` does) and with the evidence a report shows ('failures': an illegal partition is searched again
  // without pins, for up to 2 s, for its deepest prefix).
  async kv() {
    const lines: string[] = [];
    const figures: Report['figures'] = {};
    for (const evidence of ['none', 'failures'] as const) {
      let total = 0;
      const per: string[] = [];
      for (const f of ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad', 'c50-ok', 'c50-bad']) {
        const { ops } = await loadHistory(`${CORPUS}kv/${f}.txt`);
        const t = performance.now();
        const r = await check(ops, createModel({ name: 'kv' }), { evidence });
        const dt = ms(t);
        total += dt;
        per.push(`${f} ${r.valid} ${dt} ms`);
      }
      figures[evidence === 'none' ? 'kvPartitionedTotalMs' : 'kvPartitionedWithEvidenceMs'] = Math.round(total * 10) / 10;
      lines.push(`  ${evidence === 'none' ? 'verdict only ' : 'with evidence'}: ${total.toFixed(1)} ms (${per.join(', ')})`);
    }
    await closeWorkers();
    return { section: 'kv', lines: ['kv corpus, partitioned:', ...lines], figures };
  },

  async 'kv-unpartitioned'() {
    const lines: string[] = [];
    const figures: Report['figures'] = {};
    for (const evidence of ['none', 'failures'] as const) {
      let total = 0;
      const per: string[] = [];
      for (const f of ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad']) {
        const { ops } = await loadHistory(`${CORPUS}kv/${f}.txt`);
        const t = performance.now();
        const r = checkSync(ops, createModel({ name: 'kv', partition: false }), { evidence });
        const dt = ms(t);
        total += dt;
        per.push(`${f} ${r.valid} ${dt} ms (${r.partitions[0].visited} configs)`);
      }
      figures[evidence === 'none' ? 'kvUnpartitionedMs' : 'kvUnpartitionedWithEvidenceMs'] = Math.round(total * 10) / 10;
      lines.push(`  ${evidence === 'none' ? 'verdict only ' : 'with evidence'}: ${total.toFixed(1)} ms (${per.join(', ')})`);
    }
    return { section: 'kv-unpartitioned', lines: ['kv c01+c10 unpartitioned:', ...lines], figures };
  },

  async 'c50-bad-evidence'() {
    const { ops } = await loadHistory(CORPUS + 'kv/c50-bad.txt');
    const t = performance.now();
    const r = await check(ops, createModel({ name: 'kv' }), { allPartitions: true, timeoutMs: 60_000, maxMemoryMb: 4096 });
    const dt = ms(t);
    await closeWorkers();
    const decided = r.partitions.filter((p) => p.valid !== 'unknown').length;
    return {
      section: 'c50-bad-evidence',
      lines: [
        `kv c50-bad, evidence for every key: ${decided}/10 keys decided in ${dt} ms, verdict ${r.valid}`,
        `  ${r.partitions.map((p) => `key ${p.key}: ${p.valid} ${p.ms.toFixed(1)} ms, ${p.visited} configs, prefix ${p.linearized?.length ?? '-'}/${p.ops}`).join('\n  ')}`,
      ],
      figures: { c50BadAllKeysMs: dt, c50BadKeysDecided: decided },
    };
  },

  async 'c50-unpartitioned'() {
    const lines: string[] = [];
    const figures: Report['figures'] = {};
    for (const f of ['c50-ok', 'c50-bad']) {
      const { ops } = await loadHistory(`${CORPUS}kv/${f}.txt`);
      const t = performance.now();
      const r = checkSync(ops, createModel({ name: 'kv', partition: false }), { timeoutMs: 60_000, maxMemoryMb: 4096 });
      const dt = ms(t);
      figures[`${f}UnpartitionedMs`] = dt;
      figures[`${f}Unpartitioned`] = String(r.valid);
      lines.push(`  ${f}: ${r.valid}${r.partitions[0].reason ? ` (${r.partitions[0].reason})` : ''} in ${dt} ms, ${r.partitions[0].visited} configurations, prefix ${r.partitions[0].linearized?.length ?? '-'}/${r.ops}`);
    }
    return { section: 'c50-unpartitioned', lines: ['kv c50 unpartitioned, 60 s timeout each:', ...lines], figures };
  },

  async synthetic() {
    const gen = await ensureSynthetic();
    const t0 = performance.now();
    const { ops } = await readHistory(SYNTHETIC);
    const readMs = ms(t0);
    const t1 = performance.now();
    const r = await check(ops, createModel({ name: 'cas-register' }), { timeoutMs: 120_000, maxMemoryMb: 4096 });
    const checkMs = ms(t1);
    await closeWorkers();
    const info = ops.filter((o) => o.type === 'info').length;
    const mb = Math.round(statSync(SYNTHETIC).size / 1e6);
    return {
      section: 'synthetic',
      lines: [
        `synthetic cas-register history: ${r.ops} ops checked (${ops.length} lines, ${info} info, ${mb} MB JSONL) over ${r.partitions.length} keys${gen ? `, generated in ${gen} ms` : ''}`,
        `  read+validate ${readMs} ms, check ${checkMs} ms (${Math.round(r.ops / (checkMs / 1000))} ops/s), total ${Math.round((readMs + checkMs) * 10) / 10} ms, verdict ${r.valid}`,
      ],
      figures: { syntheticOps: r.ops, syntheticReadMs: readMs, syntheticCheckMs: checkMs, syntheticTotalMs: Math.round((readMs + checkMs) * 10) / 10, syntheticValid: String(r.valid) },
    };
  },
};

/** Writes the generated cas-register set once (it is deterministic in seed and count); returns its files. */
async function casFiles(): Promise<string[]> {
  mkdirSync(CAS_DIR, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < CAS_COUNT; i++) {
    const s = shapeOf(CAS_SEED, i);
    const f = join(CAS_DIR, `h${String(i).padStart(3, '0')}-k${s.keys}-p${s.procsPerKey}-n${s.ops}${s.staleReads + s.lostWrites + s.flippedCas > 0 ? `-m${s.staleReads}${s.lostWrites}${s.flippedCas}` : ''}.jsonl`);
    if (!existsSync(f)) await writeCasHistory(f, s, CAS_SEED * 7919 + i);
    files.push(f);
  }
  return files;
}

/**
 * The generated set through the whole CLI in one call (both cores: files and partitions share the pool),
 * and the same files checked one after another in one thread of this process (check time only, no
 * startup), side by side in one run. CPU utilisation = (user + sys) / wall / cores, from /usr/bin/time.
 */
async function casSet(): Promise<Report> {
  const files = await casFiles();
  const one = (): { wall: number; cpu: number; rssMb: number; rows: { file: string; valid: unknown; ms: number; ops: number }[] } => {
    const t = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S maxrss %M', process.execPath, join(REPO, 'dist/src/cli/main.js'), 'check', '--json', '--timeout', String(CAS_TIMEOUT_S), ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const wall = performance.now() - t;
    if (r.status !== 0 && r.status !== 1 && r.status !== 2) throw new Error(`faultline check exited ${r.status}: ${r.stderr}`);
    const m = /cpu ([\d.]+) ([\d.]+) maxrss (\d+)/.exec(r.stderr)!;
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; valid: unknown; ms: number; ops: number });
    return { wall, cpu: (Number(m[1]) + Number(m[2])) * 1000, rssMb: Math.round(Number(m[3]) / 1024), rows };
  };
  const sequential = async (): Promise<{ ms: number; verdicts: string[] }> => {
    let total = 0;
    const verdicts: string[] = [];
    for (const f of files) {
      const { ops } = await readHistory(f);
      const t = performance.now();
      const r = checkSync(ops, createModel({ name: 'cas-register' }), { evidence: 'none', timeoutMs: CAS_TIMEOUT_S * 1000 });
      total += performance.now() - t;
      verdicts.push(String(r.valid));
    }
    return { ms: total, verdicts };
  };
  const cli = one();
  const seq = await sequential();
  const cli2 = one();
  const best = cli.wall <= cli2.wall ? cli : cli2;
  const cores = availableParallelism();
  const count = (v: string): number => best.rows.filter((r) => String(r.valid) === v).length;
  const agree = best.rows.every((r, i) => String(r.valid) === seq.verdicts[i]);
  const slow = [...best.rows].sort((a, b) => b.ms - a.ms).slice(0, 10);
  const util = best.cpu / best.wall / cores;
  const ops = best.rows.reduce((a, r) => a + r.ops, 0);
  return {
    section: 'cas-set',
    lines: [
      `generated cas-register set (seed ${CAS_SEED}): ${files.length} histories, ${ops} ops, 1-4 keys, 2-40 processes per key; ${count('true')} linearizable, ${count('false')} not, ${count('unknown')} unknown`,
      `  faultline check, whole process, all files in one call: ${Math.round(best.wall)} ms wall (runs: ${Math.round(cli.wall)}, ${Math.round(cli2.wall)} ms), CPU ${Math.round(best.cpu)} ms = ${(util * 100).toFixed(0)}% of ${cores} cores, peak RSS ${best.rssMb} MB`,
      `  same files one after another in one thread (check only, no startup): ${Math.round(seq.ms)} ms; verdicts ${agree ? 'agree' : 'DISAGREE'}`,
      `  ten slowest files (check ms in the CLI run): ${slow.map((r) => `${r.file.split('/').pop()} ${r.ms.toFixed(0)} ms (${r.valid})`).join(', ')}`,
    ],
    figures: { casSetFiles: files.length, casSetOps: ops, casSetCliMs: Math.round(best.wall), casSetCpuUtilisation: Math.round(util * 100) / 100, casSetPeakRssMb: best.rssMb, casSetSequentialMs: Math.round(seq.ms), casSetVerdictsAgree: agree, casSetSlowestMs: Math.round(slow[0]?.ms ?? 0) },
  };
}

/** The whole `faultline check` process over every jepsen file in one call: startup and parsing included. */
function cliRun(): Report {
  const files = readdirSync(CORPUS + 'jepsen').sort().map((f) => CORPUS + 'jepsen/' + f);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(REPO, 'dist/src/cli/main.js'), 'check', ...files], { encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 1) throw new Error(`faultline check exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  const median = Math.round(times[3]);
  return {
    section: 'cli',
    lines: [`faultline check over all ${files.length} jepsen files, whole process: median ${median} ms, best ${Math.round(times[0])} ms (7 runs)`],
    figures: { cliJepsenMedianMs: median, cliJepsenBestMs: Math.round(times[0]) },
  };
}

/** Writes the synthetic history unless it is there; returns how long that took (0: it was there). */
async function ensureSynthetic(): Promise<number> {
  if (existsSync(SYNTHETIC)) return 0;
  mkdirSync(join(tmpdir(), 'faultline-bench'), { recursive: true });
  const t = performance.now();
  await writeSyntheticHistory(SYNTHETIC, { keys: 1000, opsPerKey: 1000, procsPerKey: 5, activeKeys: 20, seed: 42 });
  return ms(t);
}

/** The same 1M-op history through the whole CLI process (peak RSS via /usr/bin/time when present). */
async function cliSynthetic(): Promise<Report> {
  await ensureSynthetic();
  const args = [join(REPO, 'dist/src/cli/main.js'), 'check', '--json', SYNTHETIC];
  const timed = existsSync('/usr/bin/time');
  const t = performance.now();
  const r = timed ? spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Math.round(performance.now() - t);
  const rss = /maxrss (\d+)/.exec(r.stderr ?? '')?.[1];
  // 0-2 are verdicts; anything else (bad input, a crash) is no figure at all.
  if (r.status === null || r.status > 2) throw new Error(`cli-synthetic: faultline check ${r.error ? `did not start (${r.error.message})` : `exited ${r.status ?? r.signal}`}: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim()) as { valid: boolean; ops: number; ms: number };
  const figures: Report['figures'] = { cliSyntheticWallMs: wall, cliSyntheticValid: String(out.valid) };
  if (rss) figures.cliSyntheticPeakRssMb = Math.round(Number(rss) / 1024);
  return { section: 'cli-synthetic', lines: [`faultline check on the synthetic history, whole process: ${wall} ms wall (${out.ops} ops, verdict ${out.valid})${rss ? `, peak RSS ${figures.cliSyntheticPeakRssMb} MB` : ''}`], figures };
}

/** One file's outcome on either side: a verdict (true, false or 'unknown') and the check time alone. */
interface FileRun {
  file: string;
  verdict: string;
  ms: number;
}

interface SideRun {
  /** faultline: the whole `check --json` process; Porcupine: the sum of its check calls. */
  ms: number;
  /** Porcupine only: the driver process's wall time (Go startup and parsing included). */
  wall?: number;
  files: FileRun[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;
const base = (f: string): string => f.split('/').pop()!;

/**
 * Builds our driver (bench/porcupine) against the checkout in a temp dir: the repository's go.mod names
 * no local path, the replace directive is added here. Offline: no module proxy, no checksum database.
 */
function buildDriver(checkout: string): { bin: string; dir: string; go: string } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-porcupine-'));
  for (const f of ['go.mod', 'main.go']) copyFileSync(join(REPO, 'bench/porcupine', f), join(dir, f));
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOSUMDB: 'off' };
  const go = (args: string[]): string => {
    const r = spawnSync('go', args, { cwd: dir, env, encoding: 'utf8' });
    if (r.error) throw new Error(`porcupine: cannot run go (${r.error.message}); install Go (e.g. apt-get install golang-go)`);
    if (r.status !== 0) throw new Error(`porcupine: go ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  go(['mod', 'edit', '-replace', `github.com/anishathalye/porcupine=${resolve(checkout)}`]);
  go(['build', '-o', 'porcupine-driver', '.']);
  return { bin: join(dir, 'porcupine-driver'), dir, go: go(['version']) };
}

/** faultline's whole process over the files, as a user runs it; per-file check times from its --json lines. */
function faultlineRun(files: string[], timeoutS?: number): SideRun {
  const args = [join(REPO, 'dist/src/cli/main.js'), 'check', '--json', ...(timeoutS ? ['--timeout', String(timeoutS)] : []), ...files];
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1 && r.status !== 2) throw new Error(`faultline check exited ${r.status}: ${r.stderr}`);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; valid: unknown; ms: number });
  return { ms, files: rows.map((x) => ({ file: x.file, verdict: String(x.valid), ms: x.ms })) };
}

/**
 * faultline's check calls alone, in this process, one file after another: the shape the Porcupine driver's
 * per-file times have (each file's check timed alone, its partitions in parallel). The first round runs
 * with cold JIT; the median over rounds is the warm figure.
 */
async function faultlineSequential(files: string[], timeoutS: number): Promise<SideRun> {
  const rows: FileRun[] = [];
  for (const file of files) {
    // The driver's timer covers CheckOperations alone: its model is built, and its operations paired, while
    // it parses. So the model and the pairing come before this timer too; partitioning stays inside both.
    const model = createModel({ name: 'cas-register' });
    const operations = toOperations((await loadHistory(file)).ops, model);
    const t = performance.now();
    // Verdicts only, as the driver computes them (and as `check --json` does).
    const r = await checkOperations(operations, model, { timeoutMs: timeoutS * 1000, evidence: 'none' });
    rows.push({ file, verdict: String(r.valid), ms: performance.now() - t });
  }
  return { ms: rows.reduce((a, x) => a + x.ms, 0), files: rows };
}

/** The Porcupine driver over the same files: its own time is the check calls alone, as Porcupine's tests time them. */
function porcupineRun(bin: string, files: string[], timeoutS?: number): SideRun {
  const t = performance.now();
  const r = spawnSync(bin, [...(timeoutS ? ['-timeout', String(timeoutS)] : []), ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`porcupine driver exited ${r.status}: ${r.stderr}`);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: unknown; ms: number });
  return { ms: rows.reduce((a, x) => a + x.ms, 0), wall, files: rows.map((x) => ({ file: x.file, verdict: String(x.ok), ms: x.ms })) };
}

/** Both sides over the same files, alternating (faultline, Porcupine, faultline, ...) so load drifts hit both alike. */
function alternate(bin: string, files: string[], rounds: number, timeoutS?: number): { f: SideRun[]; p: SideRun[] } {
  const f: SideRun[] = [];
  const p: SideRun[] = [];
  for (let i = 0; i < rounds; i++) {
    f.push(faultlineRun(files, timeoutS));
    p.push(porcupineRun(bin, files, timeoutS));
  }
  return { f, p };
}

/** Per file, the median check time over the rounds and the first round's verdict (verdicts never varied here). */
function perFile(runs: SideRun[]): Map<string, FileRun> {
  const out = new Map<string, FileRun>();
  for (const row of runs[0].files) out.set(row.file, { file: row.file, verdict: row.verdict, ms: median(runs.map((r) => r.files.find((x) => x.file === row.file)!.ms)) });
  return out;
}

function agreement(f: Map<string, FileRun>, p: Map<string, FileRun>): { agree: number; differ: string[]; counts: string } {
  let agree = 0;
  const differ: string[] = [];
  const count = new Map<string, number>();
  for (const [file, x] of f) {
    const y = p.get(file)!;
    if (x.verdict === y.verdict) {
      agree++;
      count.set(x.verdict, (count.get(x.verdict) ?? 0) + 1);
    } else differ.push(`${base(file)} (faultline ${x.verdict}, Porcupine ${y.verdict})`);
  }
  const name = { true: 'linearizable', false: 'not', unknown: 'unknown' } as Record<string, string>;
  return { agree, differ, counts: [...count].map(([v, n]) => `${n} ${name[v] ?? v}`).join(', ') };
}

/**
 * faultline against Porcupine (Go) on the same files in one run: the jepsen corpus, the kv corpus and the
 * generated cas set. Porcupine's figure is its check calls alone (what its own tests time); ours is the
 * whole `faultline check` process (startup, parsing, worker pool). Skipped, not failed, without a checkout.
 */
async function porcupineSection(): Promise<Report> {
  if (PORCUPINE_DIR === undefined) {
    return { section: 'porcupine', lines: ['porcupine: skipped (to compare against a Porcupine checkout: --porcupine DIR or PORCUPINE_DIR=DIR; needs Go)'], figures: {} };
  }
  const { bin, dir, go } = buildDriver(PORCUPINE_DIR);
  try {
    const lines = [`faultline vs Porcupine (${resolve(PORCUPINE_DIR)}, ${go}), alternating, median of ${ROUNDS} rounds each:`];
    const figures: Report['figures'] = { porcupineRounds: ROUNDS };
    const corpus = (label: string, key: string, files: string[]): void => {
      const { f, p } = alternate(bin, files, ROUNDS);
      const fMs = median(f.map((r) => r.ms));
      const pMs = median(p.map((r) => r.ms));
      const a = agreement(perFile(f), perFile(p));
      lines.push(
        `  ${label}, ${files.length} files: Porcupine check ${r1(pMs)} ms total (driver process ${Math.round(median(p.map((r) => r.wall!)))} ms wall); faultline whole process ${Math.round(fMs)} ms; faultline/Porcupine ${(fMs / pMs).toFixed(2)}; verdicts agree ${a.agree}/${files.length} (${a.counts})${a.differ.length ? `; DIFFER: ${a.differ.join(', ')}` : ''}`,
      );
      Object.assign(figures, { [`${key}PorcupineMs`]: r1(pMs), [`${key}FaultlineWholeMs`]: Math.round(fMs), [`${key}Ratio`]: Math.round((fMs / pMs) * 100) / 100, [`${key}Agree`]: a.agree, [`${key}Files`]: files.length });
    };
    corpus('jepsen etcd corpus', 'porcupineJepsen', readdirSync(CORPUS + 'jepsen').sort().map((x) => CORPUS + 'jepsen/' + x));
    corpus('kv corpus (partitioned by key)', 'porcupineKv', readdirSync(CORPUS + 'kv').sort().map((x) => CORPUS + 'kv/' + x));

    // The cas set: histories that hit the per-file limit on either side would only measure the limit again, so
    // every file runs once, and the further rounds take the files both sides decided.
    const files = await casFiles();
    const first = { f: faultlineRun(files, CAS_TIMEOUT_S), p: porcupineRun(bin, files, CAS_TIMEOUT_S) };
    const f1 = perFile([first.f]);
    const p1 = perFile([first.p]);
    const a = agreement(f1, p1);
    const decided = files.filter((x) => f1.get(x)!.verdict !== 'unknown' && p1.get(x)!.verdict !== 'unknown');
    lines.push(
      `  cas set (seed ${CAS_SEED}, ${files.length} files, ${CAS_TIMEOUT_S} s per file), one round over all files: Porcupine check ${Math.round(first.p.ms)} ms total, faultline whole process ${Math.round(first.f.ms)} ms; faultline/Porcupine ${(first.f.ms / first.p.ms).toFixed(2)}; verdicts agree ${a.agree}/${files.length} (${a.counts})${a.differ.length ? `; DIFFER: ${a.differ.join(', ')}` : ''}`,
    );
    Object.assign(figures, { porcupineCasFiles: files.length, porcupineCasAllPorcupineMs: Math.round(first.p.ms), porcupineCasAllFaultlineWholeMs: Math.round(first.f.ms), porcupineCasAgree: a.agree, porcupineCasDecidedByBoth: decided.length });
    if (decided.length > 0) {
      const more = ROUNDS > 1 ? alternate(bin, decided, ROUNDS - 1, CAS_TIMEOUT_S) : { f: [], p: [] };
      // The first round's rows for these files; its `ms` is then their check times summed. That is Porcupine's
      // figure; faultline's first process covered every file, so its whole-process time comes from the later rounds.
      const subset = (r: SideRun): SideRun => {
        const rows = r.files.filter((x) => decided.includes(x.file));
        return { ms: rows.reduce((a, x) => a + x.ms, 0), files: rows };
      };
      const fRuns = [subset(first.f), ...more.f];
      const pRuns = [subset(first.p), ...more.p];
      const fMs = more.f.length > 0 ? median(more.f.map((r) => r.ms)) : NaN;
      const pMs = median(pRuns.map((r) => r.ms));
      const fFiles = perFile(fRuns);
      const pFiles = perFile(pRuns);
      const fCheck = [...fFiles.values()].reduce((s, x) => s + x.ms, 0);
      lines.push(
        `    decided by both (${decided.length} files), median of ${ROUNDS} rounds: Porcupine check ${r1(pMs)} ms total; faultline whole process ${Number.isNaN(fMs) ? '-' : Math.round(fMs)} ms (rounds 2-${ROUNDS}, these files only), its per-file checks ${r1(fCheck)} ms; faultline/Porcupine ${Number.isNaN(fMs) ? '-' : (fMs / pMs).toFixed(2)} (checks alone ${(fCheck / pMs).toFixed(2)})`,
      );
      const both = decided.map((x) => ({ file: base(x), f: fFiles.get(x)!.ms, p: pFiles.get(x)!.ms }));
      const slower = both.filter((x) => x.f > x.p).sort((x, y) => y.f - y.p - (x.f - x.p));
      const show = (x: { file: string; f: number; p: number }): string => `${x.file} ${r1(x.f)} vs ${r1(x.p)} ms`;
      const showUs = (x: { file: string; f: number; p: number }): string => `${x.file} ${Math.round(x.f * 1000)} vs ${Math.round(x.p * 1000)} µs`;
      lines.push(`    in the whole-process batch (files overlapping, so a file's time includes what ran beside it), faultline's file time above Porcupine's check on ${slower.length}/${decided.length} (faultline vs Porcupine, median): ${slower.slice(0, 10).map(show).join(', ') || 'none'}`);
      // Per file as the Porcupine driver times it: alternating rounds of faultline's check calls in this
      // process (one file at a time) and the driver.
      const seqF: SideRun[] = [];
      const seqP: SideRun[] = [];
      for (let i = 0; i < SEQ_ROUNDS; i++) {
        seqF.push(await faultlineSequential(decided, CAS_TIMEOUT_S));
        seqP.push(porcupineRun(bin, decided, CAS_TIMEOUT_S));
      }
      await closeWorkers();
      const sF = perFile(seqF);
      const sP = perFile(seqP);
      const seq = decided.map((x) => ({ file: base(x), f: sF.get(x)!.ms, p: sP.get(x)!.ms }));
      const seqSlower = seq.filter((x) => x.f > x.p).sort((x, y) => y.f - y.p - (x.f - x.p));
      const seqFMs = median(seqF.map((r) => r.ms));
      const seqPMs = median(seqP.map((r) => r.ms));
      lines.push(
        `    one file at a time, check calls alone on both sides (median of ${SEQ_ROUNDS} alternating rounds; faultline's first round is cold JIT): Porcupine ${r1(seqPMs)} ms, faultline ${r1(seqFMs)} ms, ratio ${(seqFMs / seqPMs).toFixed(2)}; faultline slower on ${seqSlower.length}/${decided.length} (faultline vs Porcupine, median): ${seqSlower.slice(0, 10).map(showUs).join(', ') || 'none'}`,
      );
      Object.assign(figures, { porcupineCasSequentialRounds: SEQ_ROUNDS, porcupineCasSequentialPorcupineMs: r1(seqPMs), porcupineCasSequentialFaultlineMs: r1(seqFMs), porcupineCasSequentialSlowerFiles: seqSlower.length });
      const slowest = [...both].sort((x, y) => Math.max(y.f, y.p) - Math.max(x.f, x.p)).slice(0, 5);
      lines.push(`    slowest decided files: ${slowest.map(show).join(', ')}`);
      Object.assign(figures, { porcupineCasDecidedPorcupineMs: r1(pMs), porcupineCasDecidedFaultlineCheckMs: r1(fCheck), porcupineCasFaultlineSlowerFiles: slower.length });
      if (!Number.isNaN(fMs)) Object.assign(figures, { porcupineCasDecidedFaultlineWholeMs: Math.round(fMs), porcupineCasDecidedRatio: Math.round((fMs / pMs) * 100) / 100 });
    }
    const oneSided = files.filter((x) => (f1.get(x)!.verdict === 'unknown') !== (p1.get(x)!.verdict === 'unknown'));
    if (oneSided.length > 0) lines.push(`    decided by one side only: ${oneSided.map((x) => `${base(x)} (faultline ${f1.get(x)!.verdict} ${r1(f1.get(x)!.ms)} ms, Porcupine ${p1.get(x)!.verdict} ${r1(p1.get(x)!.ms)} ms)`).join(', ')}`);
    return { section: 'porcupine', lines, figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--section');
  if (i >= 0) {
    const report = await SECTIONS[process.argv[i + 1]]();
    report.figures.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const only = process.argv.slice(2).filter((a, k, all) => !a.startsWith('-') && !VALUE_FLAGS.has(all[k - 1]));
  const names = only.length > 0 ? only : [...Object.keys(SECTIONS), 'cli', 'cas-set', 'cli-synthetic', 'porcupine'];
  const all: Record<string, number | string | boolean> = {};
  console.log('targets (Porcupine, Go, this machine): jepsen 646 ms total (etcd_002 239 ms); kv partitioned 201 ms; kv c01+c10 unpartitioned 4.9 s;');
  console.log('  ours: whole CLI over jepsen <= 646 ms; every key of c50-bad < 60 s and 4 GB; 1M ops/1k keys < 30 s and 4 GB; stretch: c50 unpartitioned < 60 s\n');
  for (const name of names) {
    let report: Report;
    if (name === 'cli') report = cliRun();
    else if (name === 'cli-synthetic') report = await cliSynthetic();
    else if (name === 'cas-set') report = await casSet();
    else if (name === 'porcupine') report = await porcupineSection();
    else {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--section', name], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`section ${name} failed: ${r.stderr}`);
      report = JSON.parse(r.stdout.trim().split('\n').pop()!) as Report;
    }
    console.log(report.lines.join('\n') + (report.figures.peakRssMb !== undefined ? `\n  peak RSS ${report.figures.peakRssMb} MB` : ''));
    for (const [k, v] of Object.entries(report.figures)) all[k === 'peakRssMb' ? `${name}PeakRssMb` : k] = v;
  }
  console.log('\n' + JSON.stringify(all));
}

await main();
