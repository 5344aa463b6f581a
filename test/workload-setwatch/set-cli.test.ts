// Short `faultline run set` runs on real etcd and antietcd clusters: history shape, final reads, set-full verdicts.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import type { EvidenceFile } from '../../src/report/evidence-view.js';
import type { ResultsFile } from '../../src/report/results.js';
import { cli, leftovers, readRun } from '../run/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-set-cli-'));
  // The store's nodes may run as another uid: they must be able to enter the results directory.
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function shortRun(system: string): Promise<{ code: number | null; run: string; results: ResultsFile; evidence: EvidenceFile; history: Op[] }> {
  const results = join(dir, `r-${system}`);
  const r = await cli(['run', 'set', '--system', system, '--lab', 'host', '--time-limit', '8', '--nemesis', 'default', '--results', results, '--seed', '42', '--json']);
  const summary = JSON.parse(r.stdout) as { runDir: string; runId: string };
  expect(leftovers(summary.runId)).toEqual([]);
  const run = summary.runDir;
  return {
    code: r.code,
    run,
    ...readRun(run),
  };
}

/** What every set run must record, whatever its verdict: set-full's shapes, and a final read on every node. */
function expectSetHistory(history: Op[]): void {
  const adds = history.filter((o) => o.f === 'add' && o.type === 'invoke');
  const reads = history.filter((o) => o.f === 'read' && o.type === 'ok');
  expect(adds.length).toBeGreaterThan(50);
  expect(reads.length).toBeGreaterThan(10);
  expect(history.every((o) => o.process === 'nemesis' || o.key === undefined)).toBe(true);
  expect(new Set(adds.map((o) => o.value)).size).toBe(adds.length);
  for (const r of reads) expect(Array.isArray(r.value)).toBe(true);
  // Reads grow: a late read shows more than one element.
  expect(reads.some((r) => (r.value as unknown[]).length > 1)).toBe(true);
  const finals = new Set(history.filter((o) => o.f === 'read' && o.type === 'invoke' && typeof o.process === 'number' && o.process >= 6).map((o) => o.node));
  expect([...finals].sort()).toEqual(['n1', 'n2', 'n3']);
}

describe('faultline run set', () => {
  it('on etcd under the default faults: adds and whole-set reads as set-full records them, valid, exit 0', { timeout: 120_000 }, async () => {
    const r = await shortRun('etcd');
    expectSetHistory(r.history);
    expect(r.results.checker).toMatchObject({ model: 'set-full', property: 'set-full' });
    expect(r.results.checker.message).toMatch(/^set-full: \d+ elements ok, none lost/);
    expect(r.results.valid).toBe(true);
    expect(r.code).toBe(0);
  });

  it('on antietcd with its defaults: decided by the set-full checker, and an invalid verdict carries its explanation', { timeout: 120_000 }, async () => {
    const r = await shortRun('antietcd');
    expectSetHistory(r.history);
    expect(r.results.checker.model).toBe('set-full');
    expect([true, false]).toContain(r.results.valid);
    expect(r.code).toBe(r.results.valid === true ? 0 : 1);
    if (r.results.valid === false) {
      expect(r.results.checker.message).toMatch(/^set-full violated: /);
      expect(r.evidence.anomalies!.length).toBeGreaterThan(0);
      expect(r.evidence.anomalies![0]!.explanation.length).toBeGreaterThan(10);
      expect(readFileSync(join(r.run, 'report.html'), 'utf8')).toContain('Why it is invalid');
    } else expect(existsSync(join(r.run, 'report.html'))).toBe(true);
  });
});
