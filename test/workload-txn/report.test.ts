// A stored list-append run is checked by Elle, not linearizability: verdict in results.json, the cycle in words and as an SVG.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../src/report/analyze-run.js';
import type { EvidenceFile } from '../../src/report/evidence-view.js';
import type { ResultsFile } from '../../src/report/results.js';
import type { TestRecord } from '../../src/spec/record.js';

const root = mkdtempSync(join(tmpdir(), 'fl-txn-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function storedRun(name: string, model: string, ops: object[]): string {
  const dir = join(root, name, '20260101T000000-txn001');
  mkdirSync(dir, { recursive: true });
  const test: TestRecord = {
    name, runId: 'txn001', seed: 1, startedAt: '2026-01-01T00:00:00.000Z', t0EpochMs: 0, command: ['faultline', 'run', name], system: 'etcd', lab: 'host',
    nodes: ['n1'], settings: { heartbeatMs: 100, electionMs: 1000, preVote: false }, model, initial: null, workload: name, nemesis: 'none',
    concurrency: 2, timeLimitS: 1, serializableReads: false, versions: { faultline: '0.1.0', node: process.version, system: '3.5' }, spec: {},
  };
  writeFileSync(join(dir, 'test.json'), JSON.stringify(test));
  writeFileSync(join(dir, 'history.jsonl'), ops.map((o, i) => JSON.stringify({ index: i, time: (i + 1) * 1e6, node: 'n1', ...o })).join('\n') + '\n');
  return dir;
}

// G0, a write cycle: T1 wrote x before T2 and T2 wrote y before T1.
const G0 = [
  { process: 0, type: 'invoke', f: 'txn', value: [['append', 'x', 1], ['append', 'y', 1]] },
  { process: 1, type: 'invoke', f: 'txn', value: [['append', 'x', 2], ['append', 'y', 2]] },
  { process: 0, type: 'ok', f: 'txn', value: [['append', 'x', 1], ['append', 'y', 1]] },
  { process: 1, type: 'ok', f: 'txn', value: [['append', 'x', 2], ['append', 'y', 2]] },
  { process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['r', 'y', null]] },
  { process: 0, type: 'ok', f: 'txn', value: [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]] },
];

describe('analyze of a list-append run', () => {
  it('an anomaly: INVALID for strict-serializable, explained, with its cycle drawn inline', async () => {
    const dir = storedRun('list-append', 'list-append', G0);
    const a = await analyzeRun(dir);
    expect(a.valid).toBe(false);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.checker).toMatchObject({ valid: false, model: 'list-append', property: 'strict-serializable' });
    expect(results.checker.message).toMatch(/^not strict-serializable: G0 ×1/);
    const ev = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as EvidenceFile;
    expect(ev.anomalies![0]!.type).toBe('G0');
    expect(ev.anomalies![0]!.explanation).toMatch(/ww→/);
    const html = readFileSync(a.reportPath, 'utf8');
    expect(html).toContain('INVALID — not strict-serializable');
    expect(html).toContain('Why it is invalid: strict-serializable does not hold');
    const svg = /<svg class="anomaly-graph"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg.match(/marker-end=/g)).toHaveLength(2);
    expect(svg).toContain('>ww x<');
    expect(svg).toContain('>ww y<');
    // Self-contained: nothing fetched.
    expect(svg).not.toMatch(/href="http/);
  });

  it('a serial run: VALID, no why-section', async () => {
    const dir = storedRun('list-append-ok', 'list-append', [
      { process: 0, type: 'invoke', f: 'txn', value: [['append', 'x', 1]] },
      { process: 0, type: 'ok', f: 'txn', value: [['append', 'x', 1]] },
      { process: 1, type: 'invoke', f: 'txn', value: [['r', 'x', null]] },
      { process: 1, type: 'ok', f: 'txn', value: [['r', 'x', [1]]] },
    ]);
    const a = await analyzeRun(dir);
    expect(a.valid).toBe(true);
    const html = readFileSync(a.reportPath, 'utf8');
    expect(html).toContain('VALID — strict-serializable');
    expect(html).not.toContain('anomaly-graph');
  });
});
