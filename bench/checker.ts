// Benchmarks the linearizability checker on Porcupine's corpus, a generated high-concurrency cas set and a 1M-op history.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkSync, closeWorkers } from '../src/checker/index.js';
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
    mkdirSync(join(tmpdir(), 'faultline-bench'), { recursive: true });
    let gen = 0;
    if (!existsSync(SYNTHETIC)) {
      const t = performance.now();
      await writeSyntheticHistory(SYNTHETIC, { keys: 1000, opsPerKey: 1000, procsPerKey: 5, activeKeys: 20, seed: 42 });
      gen = ms(t);
    }
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

/** The same 1M-op history through the whole CLI process (peak RSS via /usr/bin/time when present). */
function cliSynthetic(): Report {
  const args = [join(REPO, 'dist/src/cli/main.js'), 'check', '--json', SYNTHETIC];
  const timed = existsSync('/usr/bin/time');
  const t = performance.now();
  const r = timed ? spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Math.round(performance.now() - t);
  const rss = /maxrss (\d+)/.exec(r.stderr ?? '')?.[1];
  const out = JSON.parse(r.stdout.trim()) as { valid: boolean; ops: number; ms: number };
  const figures: Report['figures'] = { cliSyntheticWallMs: wall, cliSyntheticValid: String(out.valid) };
  if (rss) figures.cliSyntheticPeakRssMb = Math.round(Number(rss) / 1024);
  return { section: 'cli-synthetic', lines: [`faultline check on the synthetic history, whole process: ${wall} ms wall (${out.ops} ops, verdict ${out.valid})${rss ? `, peak RSS ${figures.cliSyntheticPeakRssMb} MB` : ''}`], figures };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--section');
  if (i >= 0) {
    const report = await SECTIONS[process.argv[i + 1]]();
    report.figures.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const only = process.argv.slice(2).filter((a, k, all) => !a.startsWith('-') && !all[k - 1]?.startsWith('--cas-'));
  const names = only.length > 0 ? only : [...Object.keys(SECTIONS), 'cli', 'cas-set', 'cli-synthetic'];
  const all: Record<string, number | string | boolean> = {};
  console.log('targets (Porcupine, Go, this machine): jepsen 646 ms total (etcd_002 239 ms); kv partitioned 201 ms; kv c01+c10 unpartitioned 4.9 s;');
  console.log('  ours: whole CLI over jepsen <= 646 ms; every key of c50-bad < 60 s and 4 GB; 1M ops/1k keys < 30 s and 4 GB; stretch: c50 unpartitioned < 60 s\n');
  for (const name of names) {
    let report: Report;
    if (name === 'cli') report = cliRun();
    else if (name === 'cli-synthetic') report = cliSynthetic();
    else if (name === 'cas-set') report = await casSet();
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
