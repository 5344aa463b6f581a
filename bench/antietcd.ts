// What faultline finds in antietcd: every configuration × fault of its issue run BENCH_RUNS times with different
// seeds through `faultline run`, the invalid rate per row, and each invalid verdict with the op that exposes it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 20);
const LAB = process.env['BENCH_LAB'] ?? (process.getuid?.() === 0 ? 'netns' : 'host');
const MAIN = resolve('dist/src/cli/main.js');

interface Row {
  config: string;
  fault: string;
  args: string[];
}

/** The rows of the issue: each switch against the fault that should expose it. */
const ROWS: Row[] = [
  { config: 'defaults', fault: 'partition-one', args: ['register', '--nemesis', 'partition-one'] },
  { config: 'defaults (hb 1000 / el 5000, antietcd\'s own)', fault: 'partition-leader', args: ['register', '--nemesis', 'partition-leader', '--heartbeat', '1000', '--election', '5000'] },
  { config: '--stale-read off (hb 1000 / el 5000)', fault: 'partition-leader', args: ['register', '--nemesis', 'partition-leader', '--heartbeat', '1000', '--election', '5000', '--stale-read', 'off'] },
  { config: 'defaults (hb 100 / el 1000)', fault: 'partition-leader', args: ['register', '--nemesis', 'partition-leader'] },
  { config: '--stale-read off (hb 100 / el 1000)', fault: 'partition-leader', args: ['register', '--nemesis', 'partition-leader', '--stale-read', 'off'] },
  { config: '--persist-interval 500', fault: 'kill all nodes at once', args: ['kill-all', '--persist-interval', '500'] },
  { config: 'persist on every change (default)', fault: 'kill all nodes at once', args: ['kill-all'] },
  { config: 'defaults', fault: 'pause one node', args: ['register', '--nemesis', 'pause'] },
  { config: 'defaults', fault: 'kill one node', args: ['register', '--nemesis', 'kill'] },
];

interface RunOutcome {
  valid: boolean | 'unknown';
  runDir: string;
  crashes: string[];
  why: string;
}

function run(args: string[]): Promise<RunOutcome> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, 'run', ...args, '--json'], { maxBuffer: 64 << 20 }, (_err, stdout, stderr) => {
      let s: { valid?: boolean | 'unknown'; runDir?: string; errors?: string[] } = {};
      try {
        s = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as typeof s;
      } catch {
        // No summary: the run never got going (e.g. the cluster did not start because a node crashed).
        const why = stderr.trim().split('\n').pop() ?? 'no output';
        s = { valid: 'unknown', errors: [/ crashed /.test(stderr) || /did not start/.test(why) ? `did not start: ${why.slice(0, 200)}` : why.slice(0, 200)] };
      }
      const runDir = s.runDir ?? '';
      let why = '';
      const ev = join(runDir, 'evidence.json');
      if (s.valid === false && existsSync(ev)) {
        const e = JSON.parse(readFileSync(ev, 'utf8')) as { keys: { explanation?: string[] }[] };
        why = (e.keys[0]?.explanation ?? []).slice(0, 2).join(' ');
      }
      done({ valid: s.valid ?? 'unknown', runDir, crashes: (s.errors ?? []).filter((x) => / crashed |^did not start/.test(x)), why });
    });
  });
}

async function main(): Promise<void> {
  const results = process.env['BENCH_RESULTS'] ?? mkdtempSync(join(tmpdir(), 'fl-bench-antietcd-'));
  console.log(`bench:antietcd — ${RUNS} seeded runs per row, ${SECONDS} s each, ${LAB} lab, results in ${results}`);
  const table: string[] = ['| configuration | fault | runs | invalid | node crashes |', '|---|---|---|---|---|'];
  const findings: string[] = [];
  for (const row of ROWS) {
    let invalid = 0;
    let unknown = 0;
    let crashes = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const o = await run([...row.args, '--system', 'antietcd', '--lab', LAB, '--time-limit', String(SECONDS), '--seed', String(seed), '--results', results]);
      if (o.valid === false) {
        invalid++;
        findings.push(`- ${row.config}, ${row.fault}, seed ${seed}: ${o.why} (${o.runDir})`);
      } else if (o.valid !== true) unknown++;
      if (o.crashes.length) {
        crashes++;
        findings.push(`- ${row.config}, ${row.fault}, seed ${seed}: ${o.crashes.join('; ')} (${o.runDir})`);
      }
      process.stderr.write(`${row.config} / ${row.fault} seed ${seed}: ${o.valid === true ? 'valid' : o.valid === false ? 'INVALID' : 'unknown'}${o.crashes.length ? ', node crash' : ''}\n`);
    }
    table.push(`| ${row.config} | ${row.fault} | ${RUNS} | ${invalid} (${Math.round((100 * invalid) / RUNS)}%)${unknown ? `, ${unknown} unknown` : ''} | ${crashes} run(s) |`);
  }
  console.log(table.join('\n'));
  console.log(findings.length ? `\nfindings:\n${findings.join('\n')}` : '\nno invalid verdict and no crash');
}

main().catch((e: unknown) => {
  console.error(`bench:antietcd failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
