// The CLI wiring: `check --model list-append` on a G-single history, and short `faultline run list-append` runs on real stores.
import { existsSync, mkdtempSync, readFileSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceFile } from '../../src/report/evidence-view.js';
import type { ResultsFile } from '../../src/report/results.js';
import { cli, leftovers, readRun } from '../run/cli.js';
import type { Op } from '../../src/history/op.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-txn-cli-'));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (name: string, ops: object[]): string => {
  const p = join(dir, name);
  writeFileSync(p, ops.map((o, i) => JSON.stringify({ index: i, time: i, ...o })).join('\n') + '\n');
  return p;
};

/** Read skew: T2 saw T1's append to y but not its append to x. */
const SKEW = [
  { process: 1, type: 'invoke', f: 'txn', value: [['append', 'x', 1], ['append', 'y', 1]] },
  { process: 2, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['r', 'y', null]] },
  { process: 1, type: 'ok', f: 'txn', value: [['append', 'x', 1], ['append', 'y', 1]] },
  { process: 2, type: 'ok', f: 'txn', value: [['r', 'x', []], ['r', 'y', [1]]] },
];

describe('faultline check on txn histories', () => {
  it('--model list-append: a G-single cycle exits 1 and is explained edge by edge', async () => {
    const r = await cli(['check', jsonl('skew.jsonl', SKEW), '--model', 'list-append']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/INVALID for strict-serializable .*G-single ×1; rules out snapshot-isolation, serializable, strict-serializable/);
    expect(r.stdout).toMatch(/T1 read x = \[\], .* so T1 read before T2's write: T1 rw→ T2/);
    expect(r.stdout).toMatch(/T2 appended 1 to y and T1 read y = \[1\], so T1 read T2's write: T2 wr→ T1/);
  });

  it('infers list-append from the micro-ops; --consistency read-committed accepts read skew; --json says which models it rules out', async () => {
    const file = jsonl('skew2.jsonl', SKEW);
    expect((await cli(['check', file])).code).toBe(1);
    const r = await cli(['check', file, '--consistency', 'read-committed', '--json']);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout) as { valid: boolean; model: string; anomalies: Record<string, number>; ruledOut: string[] };
    expect(line).toMatchObject({ valid: true, model: 'list-append', anomalies: { 'G-single': 1 }, ruledOut: ['snapshot-isolation', 'serializable', 'strict-serializable'] });
  });

  it('a serial history is valid (exit 0); a bad --consistency is usage (exit 3)', async () => {
    const serial = jsonl('serial.jsonl', [
      { process: 1, type: 'invoke', f: 'txn', value: [['append', 'x', 1]] },
      { process: 1, type: 'ok', f: 'txn', value: [['append', 'x', 1]] },
      { process: 2, type: 'invoke', f: 'txn', value: [['r', 'x', null]] },
      { process: 2, type: 'ok', f: 'txn', value: [['r', 'x', [1]]] },
    ]);
    const ok = await cli(['check', serial]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid for strict-serializable \(2 txns/);
    const bad = await cli(['check', serial, '--consistency', 'linearizable']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--consistency must be one of read-committed, snapshot-isolation, serializable, strict-serializable/);
  });

  it('Knossos multi-register txns (reads and writes) still go to the linearizability checker', async () => {
    const r = await cli(['check', jsonl('multi.jsonl', [
      { process: 1, type: 'invoke', f: 'txn', value: [['w', 'x', 1]] },
      { process: 1, type: 'ok', f: 'txn', value: [['w', 'x', 1]] },
    ])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/linearizable .*multi-register/);
  });
});

async function shortRun(system: string, nemesis: string): Promise<{ code: number | null; run: string; results: ResultsFile; evidence: EvidenceFile; history: Op[]; out: string }> {
  const results = join(dir, `r-${system}`);
  const r = await cli(['run', 'list-append', '--system', system, '--lab', 'host', '--time-limit', '8', '--nemesis', nemesis, '--results', results, '--seed', '42', '--json']);
  const summary = JSON.parse(r.stdout) as { runDir: string; runId: string };
  expect(leftovers(summary.runId)).toEqual([]);
  const run = summary.runDir;
  return {
    code: r.code,
    run,
    out: r.stderr,
    ...readRun(run),
  };
}

describe('faultline run list-append', () => {
  it('on etcd under the default faults: txns recorded as Jepsen does, final reads inside txns, strict-serializable', { timeout: 120_000 }, async () => {
    const r = await shortRun('etcd', 'default');
    const txns = r.history.filter((o) => o.f === 'txn' && o.type === 'ok');
    expect(txns.length).toBeGreaterThan(200);
    expect(r.history.every((o) => o.process === 'nemesis' || o.key === undefined)).toBe(true);
    expect(txns.some((o) => (o.value as unknown[][]).some((m) => m[0] === 'r' && Array.isArray(m[2]) && (m[2] as unknown[]).length > 1))).toBe(true);
    expect(r.results.checker).toMatchObject({ model: 'list-append', property: 'strict-serializable' });
    expect(r.results.checker.message).toMatch(/txns/);
    expect(r.results.valid).toBe(true);
    expect(r.code).toBe(0);
    expect(readFileSync(join(r.run, 'report.html'), 'utf8')).toContain('VALID — strict-serializable');
  });

  it('on antietcd with its defaults: a verdict from the Elle checker, and an invalid one explained in the report', { timeout: 120_000 }, async () => {
    const r = await shortRun('antietcd', 'default');
    expect(r.results.checker.model).toBe('list-append');
    // An undecided run says why: the checker's message and the run's own last lines.
    expect([true, false], `${r.results.checker.message}\n${r.out.split('\n').slice(-8).join('\n')}`).toContain(r.results.valid);
    expect(r.code).toBe(r.results.valid === true ? 0 : 1);
    if (r.results.valid === false) {
      expect(r.evidence.anomalies!.length).toBeGreaterThan(0);
      const html = readFileSync(join(r.run, 'report.html'), 'utf8');
      expect(html).toContain('Why it is invalid');
      expect(html).toContain(r.evidence.anomalies![0]!.type);
    } else expect(existsSync(join(r.run, 'report.html'))).toBe(true);
  });
});
