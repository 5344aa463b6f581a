// compare end to end: two short real etcd runs (host lab) judged through the compiled CLI.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const exec = promisify(execFile);
const CLI = resolve('dist/src/cli/main.js');
// Host-lab nodes run as their own uids: every parent of the results dir must be traversable.
const root = mkdtempSync(join(tmpdir(), 'faultline-compare-e2e-'));
chmodSync(root, 0o755);
const runs: string[] = [];

async function faultline(args: string[], timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec('node', [CLI, ...args], { encoding: 'utf8', timeout });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** etcd processes this file started (their command lines name our temp dir): none may outlive the test. */
async function ourEtcds(): Promise<string> {
  try {
    return (await exec('pgrep', ['-af', root], { encoding: 'utf8' })).stdout.trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

beforeAll(async () => {
  expect(existsSync(CLI), 'build first: npx tsc -p tsconfig.json').toBe(true);
  for (let i = 0; i < 2; i++) {
    const r = await faultline(['run', '--lab', 'host', '--nemesis', 'none', '--time-limit', '5', '--results', root, '--json'], 90_000);
    expect(r.code, r.stderr.split('\n').slice(-3).join('\n')).toBe(0);
    runs.push((JSON.parse(r.stdout) as { runDir: string }).runDir);
  }
}, 200_000);

afterAll(async () => {
  const left = await ourEtcds();
  rmSync(root, { recursive: true, force: true });
  expect(left).toBe('');
});

it('markdown: a pull-request table and a summary; exit code agrees with the JSON verdict', async () => {
  const md = await faultline(['compare', runs[0]!, runs[1]!, '--markdown']);
  expect([0, 1]).toContain(md.code);
  const lines = md.stdout.split('\n');
  expect(lines[0]).toMatch(/^\*\*faultline compare — (✅ no regression|❌ regression): .*1 base run\(s\) vs 1 cand run\(s\)/);
  expect(md.stdout).toContain('| metric | base | cand | change | 95% CI | allowed | verdict |');
  for (const m of ['p50 commit latency', 'p99 commit latency', 'throughput \\(ok ops/s\\)', 'unavailability']) {
    expect(md.stdout).toMatch(new RegExp(`\\| ${m} \\| [\\d.]+ (ms|ok/s|s) \\| [\\d.]+ (ms|ok/s|s) \\| `));
  }
  const js = await faultline(['compare', runs[0]!, runs[1]!, '--json']);
  const report = JSON.parse(js.stdout) as { verdict: string; metrics: { metric: string; base: number; cand: number; ci: [number, number] | null; verdict: string }[]; base: { commitOps: number } };
  expect(js.code).toBe(report.verdict === 'regression' ? 1 : 0);
  expect(js.code).toBe(md.code);
  expect(report.metrics.map((m) => m.metric)).toEqual(['p50', 'p99', 'throughput', 'unavailability']);
  expect(report.base.commitOps).toBeGreaterThan(20);
  const p99 = report.metrics.find((m) => m.metric === 'p99')!;
  expect(p99.base).toBeGreaterThan(0);
  expect(p99.ci![0]).toBeLessThanOrEqual(p99.ci![1]);
});

it('a run against itself: zero change, no regression, exit 0; a directory of runs is a set', async () => {
  const same = await faultline(['compare', runs[0]!, runs[0]!, '--json']);
  expect(same.code).toBe(0);
  const r = JSON.parse(same.stdout) as { verdict: string; metrics: { change: number | null }[] };
  expect(r.verdict).toBe('no regression');
  for (const m of r.metrics) expect(m.change).toBe(0);
  // results/<test>/ holds both runs (and the latest link, which must not count twice).
  const testDir = dirname(runs[0]!);
  expect(readdirSync(testDir)).toContain('latest');
  const set = await faultline(['compare', testDir, runs[1]!, '--max-regression', 'p99=1000%,p50=1000%,throughput=99%']);
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toMatch(/2 base run\(s\) vs 1 cand run\(s\)/);
  expect(set.stdout.split('\n')[0]).toMatch(/^metric\s+base\s+cand\s+change\s+95% CI\s+allowed\s+verdict$/);
});

it('bad input: exit 3 and one line naming the path or option and the fix', async () => {
  const missing = await faultline(['compare', join(root, 'nope'), runs[0]!]);
  expect(missing.code).toBe(3);
  expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  expect(missing.stderr).toContain(join(root, 'nope'));
  const one = await faultline(['compare', runs[0]!]);
  expect(one.code).toBe(3);
  expect(one.stderr).toMatch(/needs exactly BASE and CAND/);
  const bad = await faultline(['compare', runs[0]!, runs[1]!, '--max-regression', 'p42=5%']);
  expect(bad.code).toBe(3);
  expect(bad.stderr).toMatch(/unknown metric "p42"; use p50, p99, throughput, unavailability/);
});
