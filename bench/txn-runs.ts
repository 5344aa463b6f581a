// Transactions, sets and watches on real stores: each workload × system × fault run BENCH_RUNS times with
// different seeds through `faultline run`, the invalid rate per row, and each finding with its explanation.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const LAB = process.env['BENCH_LAB'] ?? (process.getuid?.() === 0 ? 'netns' : 'host');
const WORKLOADS = (process.env['BENCH_WORKLOADS'] ?? 'list-append,set,watch').split(',');
const SYSTEMS = (process.env['BENCH_SYSTEMS'] ?? 'etcd,antietcd').split(',');
const MAIN = resolve('dist/src/cli/main.js');

/** The faults of the issue: partitions (every shape, seeded order), pauses and kills of single nodes. */
const FAULTS = [
  { fault: 'partitions', nemesis: 'partitions' },
  { fault: 'pause', nemesis: 'pause' },
  { fault: 'kill', nemesis: 'kill' },
];

interface RunOutcome {
  valid: boolean | 'unknown';
  runDir: string;
  crashes: string[];
  message: string;
  why: string;
  ok: number;
}

function run(args: string[]): Promise<RunOutcome> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, 'run', ...args, '--json'], { maxBuffer: 64 << 20 }, (_err, stdout, stderr) => {
      let s: { valid?: boolean | 'unknown'; runDir?: string; errors?: string[]; counts?: { ok: number } } = {};
      try {
        s = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as typeof s;
      } catch {
        s = { valid: 'unknown', errors: [stderr.trim().split('\n').pop() ?? 'no output'] };
      }
      const runDir = s.runDir ?? '';
      let why = '';
      let message = '';
      const ev = join(runDir, 'evidence.json');
      const res = join(runDir, 'results.json');
      if (existsSync(res)) message = (JSON.parse(readFileSync(res, 'utf8')) as { checker: { message: string } }).checker.message;
      if (s.valid === false && existsSync(ev)) {
        const e = JSON.parse(readFileSync(ev, 'utf8')) as { anomalies?: { explanation: string }[] };
        why = (e.anomalies?.[0]?.explanation ?? '').split('\n').slice(0, 4).join(' / ');
      }
      done({ valid: s.valid ?? 'unknown', runDir, crashes: (s.errors ?? []).filter((x) => / crashed /.test(x)), message, why, ok: s.counts?.ok ?? 0 });
    });
  });
}

async function main(): Promise<void> {
  const results = process.env['BENCH_RESULTS'] ?? mkdtempSync(join(tmpdir(), 'fl-bench-txn-'));
  console.log(`bench:txn — ${RUNS} seeded runs per row, ${SECONDS} s each, ${LAB} lab, results in ${results}`);
  const table: string[] = ['| workload | system | fault | runs | valid | invalid | unknown | ok ops / run (median) | node crashes |', '|---|---|---|---|---|---|---|---|---|'];
  const findings: string[] = [];
  for (const workload of WORKLOADS) {
    for (const system of SYSTEMS) {
      for (const { fault, nemesis } of FAULTS) {
        const n = { valid: 0, invalid: 0, unknown: 0, crashes: 0 };
        const oks: number[] = [];
        for (let seed = 1; seed <= RUNS; seed++) {
          const o = await run([workload, '--system', system, '--nemesis', nemesis, '--lab', LAB, '--time-limit', String(SECONDS), '--seed', String(seed), '--results', results]);
          oks.push(o.ok);
          if (o.valid === true) n.valid++;
          else if (o.valid === false) {
            n.invalid++;
            findings.push(`- ${workload} on ${system}, ${fault}, seed ${seed}: ${o.message}. ${o.why} (${o.runDir})`);
          } else {
            n.unknown++;
            findings.push(`- ${workload} on ${system}, ${fault}, seed ${seed}: unknown: ${o.message} (${o.runDir})`);
          }
          if (o.crashes.length) {
            n.crashes++;
            findings.push(`- ${workload} on ${system}, ${fault}, seed ${seed}: ${o.crashes.join('; ')} (${o.runDir})`);
          }
          process.stderr.write(`${workload} / ${system} / ${fault} seed ${seed}: ${o.valid === true ? 'valid' : o.valid === false ? 'INVALID' : 'unknown'} (${o.ok} ok)${o.crashes.length ? ', node crash' : ''}\n`);
        }
        oks.sort((a, b) => a - b);
        table.push(`| ${workload} | ${system} | ${fault} | ${RUNS} | ${n.valid} | ${n.invalid} (${Math.round((100 * n.invalid) / RUNS)}%) | ${n.unknown} | ${oks[Math.floor((oks.length - 1) / 2)]} | ${n.crashes} run(s) |`);
      }
    }
  }
  console.log(table.join('\n'));
  console.log(findings.length ? `\nfindings:\n${findings.join('\n')}` : '\nno invalid or unknown verdict and no crash');
}

main().catch((e: unknown) => {
  console.error(`bench:txn failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
