// The `faultline report` command as a user runs it (compiled CLI): rebuilds stored runs, exit codes, bad input.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { writeSyntheticRun } from '../../src/report/synthetic-run.js';

const run = promisify(execFile);
const CLI = resolve('dist/src/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'faultline-cli-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function faultline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [CLI, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

it('analyses never-analysed runs, rebuilds the index, and exits 1 when a run is invalid', async () => {
  expect(existsSync(CLI), 'build first: npx tsc -p tsconfig.json').toBe(true);
  writeSyntheticRun(join(root, 'synthetic', '20260101T000000-aaaaaa'), { ops: 400, seed: 3 });
  let r = await faultline(['report', root, '--json']);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { index: string; runs: { valid: unknown; report: string }[] };
  expect(out.runs.map((x) => x.valid)).toEqual([true]);
  expect(statSync(out.index).size).toBeGreaterThan(0);
  writeSyntheticRun(join(root, 'synthetic', '20260101T000100-bbbbbb'), { ops: 400, seed: 4, nonLinearizable: true });
  r = await faultline(['report', root]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/INVALID .*bbbbbb\/report.html/);
  expect(readFileSync(join(root, 'index.html'), 'utf8')).toContain('bbbbbb');
});

it('names the problem and the fix on one line with exit code 3 for bad input', async () => {
  const missing = await faultline(['report', join(root, 'nope')]);
  expect(missing.code).toBe(3);
  expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  expect(missing.stderr).toMatch(/is not a directory; pass the results directory/);
  const badOpt = await faultline(['report', root, '--timout', '5']);
  expect(badOpt.code).toBe(3);
  expect(badOpt.stderr).toMatch(/--timout/);
  const bench = await faultline(['bench', '--connections', '0,x']);
  expect(bench.code).toBe(3);
  expect(bench.stderr).toMatch(/--connections must be/);
});
