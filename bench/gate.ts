// Benchmark of `faultline compare` as a gate: false-alarm rate on A/A pairs and detection rate on a real slowdown.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareRuns, type CompareReport } from '../src/compare/compare.js';
import { findRuns, loadRunSamples, type RunSamples } from '../src/compare/load.js';
import { seeded } from '../src/generator/random.js';
import { METRIC_NAMES, type MetricName } from '../src/compare/metrics.js';

const USAGE = `usage: npm run bench:gate -- [--runs N] [--load S] [--delay-ms MS] [--resamples N] [--budget-min M] [--keep] [--reuse DIR]
  --runs N        runs in each pool, baseline and slow (default 8): A/A trials = N(N-1) ordered pairs, A/B = N*N
  --load S        seconds of load per run (default 10)
  --delay-ms MS   fsync delay on the leader in the slow pool (default 20)
  --resamples N   bootstrap replicates per side and trial (default 2000)
  --budget-min M  start no new run after M minutes (default 9); trials use the runs finished by then
  --keep          keep the runs (printed path) instead of deleting them
  --reuse DIR     make no runs: judge the pools a --keep'd gate left in DIR (gate-baseline/, gate-slow-fsync/)
  --set-size K    runs per side in the set trials (default 3; 0 skips them)`;

const { values: v } = parseArgs({
  options: {
    runs: { type: 'string' },
    load: { type: 'string' },
    'delay-ms': { type: 'string' },
    resamples: { type: 'string' },
    'budget-min': { type: 'string' },
    keep: { type: 'boolean' },
    reuse: { type: 'string' },
    'set-size': { type: 'string' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (v.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const num = (raw: string | undefined, d: number, min: number, max: number, name: string): number => {
  const n = raw === undefined ? d : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`bench:gate: --${name} must be a number ${min}..${max}, got "${raw}"\n`);
    process.exit(3);
  }
  return n;
};
const POOL = Math.round(num(v.runs, 8, 2, 40, 'runs'));
const LOAD_S = num(v.load, 10, 3, 120, 'load');
const DELAY_MS = num(v['delay-ms'], 20, 1, 1000, 'delay-ms');
const RESAMPLES = Math.round(num(v.resamples, 2000, 100, 20000, 'resamples'));
const BUDGET_MS = num(v['budget-min'], 9, 0.5, 600, 'budget-min') * 60_000;
const SET_SIZE = Math.round(num(v['set-size'], 3, 0, 20, 'set-size'));

/** The 1-minute load average: other tenants' jobs are the main source of run-to-run noise here. */
const loadAvg = (): string => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
};

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

/** Both pools share everything but the nemesis; warm-up 1 s and no recovery, so the fault spans the load. */
function spec(name: string, nemesis: unknown): object {
  return { name, workload: { name: 'register' }, nemesis, timeLimitS: LOAD_S, warmupS: 1, recoveryS: 0, concurrency: 6 };
}

/** One real run through the CLI, so the gate measures exactly what users run; resolves to its run dir. */
function runOnce(specPath: string, results: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'run', specPath, '--lab', 'host', '--results', results, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      try {
        const j = JSON.parse(out.trim().split('\n').pop() ?? '') as { runDir?: string; resultsPath?: string };
        if (j.runDir && j.resultsPath) return resolve(j.runDir);
      } catch {
        // fall through: reported below
      }
      process.stderr.write(`  run failed (exit ${code}): ${err.trim().split('\n').pop() ?? ''}\n`);
      resolve(null);
    });
  });
}

interface Tally {
  trials: number;
  flagged: number;
  regress: Record<MetricName, number>;
  improve: Record<MetricName, number>;
  changes: Record<MetricName, number[]>;
  ms: number[];
}

const newTally = (): Tally => ({
  trials: 0,
  flagged: 0,
  regress: { p50: 0, p99: 0, throughput: 0, unavailability: 0 },
  improve: { p50: 0, p99: 0, throughput: 0, unavailability: 0 },
  changes: { p50: [], p99: [], throughput: [], unavailability: [] },
  ms: [],
});

function record(t: Tally, r: CompareReport, ms: number): void {
  t.trials++;
  t.ms.push(ms);
  if (r.verdict === 'regression') t.flagged++;
  for (const m of r.metrics) {
    if (m.verdict === 'regression') t.regress[m.metric]++;
    if (m.verdict === 'improvement') t.improve[m.metric]++;
    if (m.change !== null) t.changes[m.metric].push(m.change);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : 'n/a');

function printTally(title: string, t: Tally, rateName: string): void {
  process.stdout.write(`\n${title}: ${t.trials} trials, ${rateName} ${t.flagged}/${t.trials} = ${pct(t.trials ? t.flagged / t.trials : NaN)}` +
    ` (compare per trial: median ${median(t.ms).toFixed(0)} ms, max ${Math.max(...t.ms).toFixed(0)} ms)\n`);
  process.stdout.write(`  ${'metric'.padEnd(15)} ${'regression'.padStart(10)} ${'improvement'.padStart(12)} ${'median change'.padStart(14)}\n`);
  for (const m of METRIC_NAMES) {
    process.stdout.write(`  ${m.padEnd(15)} ${pct(t.regress[m] / t.trials).padStart(10)} ${pct(t.improve[m] / t.trials).padStart(12)} ${signed(median(t.changes[m])).padStart(14)}\n`);
  }
}

const line = (name: string, x: CompareReport): string =>
  `  ${name}: ${x.verdict}; ` + x.metrics.map((m) => `${m.metric} ${signed(m.change ?? NaN)} [${m.ci ? `${signed(m.ci[0])}, ${signed(m.ci[1])}` : 'n/a'}] ${m.verdict}`).join('; ');

/** Forms trials from the pools and prints false-alarm and detection rates, per resampling unit and metric. */
function judge(base: RunSamples[], slow: RunSamples[], started: number): void {
  if (base.length < 2 || slow.length < 1) throw new Error(`too few runs to form trials: ${base.length} baseline, ${slow.length} slow`);
  let aaDefault = newTally();
  let abDefault = newTally();
  for (const blocks of ['second', 'op'] as const) {
    const aa = newTally();
    const ab = newTally();
    let seed = 1;
    for (let i = 0; i < base.length; i++) {
      for (let j = 0; j < base.length; j++) {
        if (i === j) continue;
        const t = performance.now();
        record(aa, compareRuns([base[i]!], [base[j]!], { resamples: RESAMPLES, seed: seed++, blocks }), performance.now() - t);
      }
      for (const s of slow) {
        const t = performance.now();
        record(ab, compareRuns([base[i]!], [s], { resamples: RESAMPLES, seed: seed++, blocks }), performance.now() - t);
      }
    }
    const unit = blocks === 'second' ? 'runs, then seconds of load (default)' : 'runs, then single ops';
    printTally(`A/A, one run a side, resampling ${unit} (ordered pairs of distinct baseline runs)`, aa, 'false alarms');
    printTally(`A/B, one run a side, resampling ${unit} (baseline x slow-fsync ${DELAY_MS} ms)`, ab, 'detected');
    if (blocks === 'second') {
      aaDefault = aa;
      abDefault = ab;
    }
  }

  // Several runs a side: the hierarchical bootstrap resamples runs, so run-to-run variation enters the interval.
  const k = SET_SIZE;
  if (k >= 1 && base.length >= 2 * k && slow.length >= k) {
    const rnd = seeded(42);
    const pick = <T>(xs: readonly T[], m: number): T[] => {
      const c = [...xs];
      for (let i = c.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [c[i], c[j]] = [c[j]!, c[i]!];
      }
      return c.slice(0, m);
    };
    const aa = newTally();
    const ab = newTally();
    for (let t = 0; t < 40; t++) {
      const b2 = pick(base, 2 * k);
      let t0 = performance.now();
      record(aa, compareRuns(b2.slice(0, k), b2.slice(k), { resamples: RESAMPLES, seed: 500 + t }), performance.now() - t0);
      t0 = performance.now();
      record(ab, compareRuns(pick(base, k), pick(slow, k), { resamples: RESAMPLES, seed: 600 + t }), performance.now() - t0);
    }
    printTally(`A/A, ${k} runs a side (40 random disjoint draws from the baseline pool)`, aa, 'false alarms');
    printTally(`A/B, ${k} runs a side (40 random draws)`, ab, 'detected');
  }
  const half = Math.floor(base.length / 2);
  if (half >= 2) {
    process.stdout.write('\nwhole pools:\n');
    process.stdout.write(line(`baseline[0..${half}) vs baseline[${half}..${base.length})`, compareRuns(base.slice(0, half), base.slice(half), { resamples: RESAMPLES, seed: 7 })) + '\n');
    process.stdout.write(line(`all ${base.length} baseline vs all ${slow.length} slow`, compareRuns(base, slow, { resamples: RESAMPLES, seed: 8 })) + '\n');
  }
  const fa = aaDefault.flagged / aaDefault.trials;
  const det = abDefault.flagged / abDefault.trials;
  process.stdout.write(`\ngate targets, one run a side, defaults (false alarms <= 5%, detection >= 95%): false alarms ${pct(fa)}, detection ${pct(det)}: ` +
    `${fa <= 0.05 && det >= 0.95 ? 'met' : 'NOT met'}; total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  if (v.reuse) return judge(findRuns(join(v.reuse, 'gate-baseline'), 'baseline').map(loadRunSamples), findRuns(join(v.reuse, 'gate-slow-fsync'), 'slow').map(loadRunSamples), started);
  const root = mkdtempSync(join(tmpdir(), 'faultline-gate-'));
  // Host-lab nodes run as their own uids and must reach their data dirs below this one.
  chmodSync(root, 0o755);
  const baseSpec = join(root, 'baseline.json');
  const slowSpec = join(root, 'slow-fsync.json');
  writeFileSync(baseSpec, JSON.stringify(spec('gate-baseline', 'none')));
  writeFileSync(slowSpec, JSON.stringify(spec('gate-slow-fsync', {
    faults: ['slow-fsync'], mode: 'once', interval: 0, duration: 86_400,
    options: { 'slow-fsync': { delayMs: DELAY_MS, target: 'leader' } },
  })));
  process.stdout.write(`bench:gate: ${POOL} baseline + ${POOL} slow-fsync (${DELAY_MS} ms on the leader) runs of ${LOAD_S} s load, host lab, register workload, concurrency 6; runs in ${root}; load average ${loadAvg()}\n`);
  const base: RunSamples[] = [];
  const slow: RunSamples[] = [];
  const runMs: number[] = [];
  try {
    // Interleaved, so drift in the machine's load hits both pools alike.
    for (let i = 0; i < POOL && Date.now() - started < BUDGET_MS; i++) {
      for (const [pool, specPath, label] of [[base, baseSpec, 'baseline'], [slow, slowSpec, 'slow-fsync']] as const) {
        if (Date.now() - started >= BUDGET_MS) break;
        const t = Date.now();
        const dir = await runOnce(specPath, root);
        runMs.push(Date.now() - t);
        if (!dir) continue;
        const s = loadRunSamples(dir);
        pool.push(s);
        const q = (a: Float64Array, p: number): number => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))] ?? NaN;
        process.stdout.write(`  ${label.padEnd(10)} #${pool.length}: ${s.commitMs.length} ok commits, p50 ${q(s.commitMs, 0.5).toFixed(1)} ms, p99 ${q(s.commitMs, 0.99).toFixed(1)} ms, ` +
          `${(s.okPerSecond.reduce((a, b) => a + b, 0) / s.okPerSecond.length).toFixed(0)} ok/s, unavailable ${s.unavailableS.toFixed(2)} s (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
      }
    }
    process.stdout.write(`pool: ${base.length} baseline, ${slow.length} slow runs in ${((Date.now() - started) / 1000).toFixed(0)} s (median ${(median(runMs) / 1000).toFixed(1)} s per run); load average ${loadAvg()}\n`);
    judge(base, slow, started);
  } finally {
    if (v.keep) process.stdout.write(`runs kept in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:gate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
