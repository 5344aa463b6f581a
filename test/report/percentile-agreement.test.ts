// One stored run, one percentile definition: results.json, a sweep cell, compare and scenario spreads agree.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../../src/compare/bootstrap.js';
import { loadRunSamples } from '../../src/compare/load.js';
import { sideFigures } from '../../src/compare/metrics.js';
import type { Op } from '../../src/history/op.js';
import { analyzeRun } from '../../src/report/analyze-run.js';
import type { ResultsFile } from '../../src/report/results.js';
import { writeSyntheticRun } from '../../src/report/synthetic-run.js';
import { spread } from '../../src/scenario/stats.js';
import { readFacts } from '../../src/sweep/facts.js';
import { measureRepetition } from '../../src/sweep/measure.js';
import { scenarios } from '../../src/sweep/scenarios.js';
import { nearestRank, quantile, quantileOfSorted } from '../../src/util/percentile.js';

const root = mkdtempSync(join(tmpdir(), 'fl-pct-'));
const runDir = join(root, 'results', 'synthetic', '20260101T000000-syn001');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The oracle, written out independently of src/: ok write latencies (ms) paired by process from history.jsonl. */
function okWriteLatenciesMs(dir: string): number[] {
  const open = new Map<string, Op>();
  const out: number[] = [];
  for (const line of readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const op = JSON.parse(line) as Op;
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') open.set(String(op.process), op);
    else {
      const inv = open.get(String(op.process))!;
      open.delete(String(op.process));
      if (op.type === 'ok' && op.f === 'write') out.push((op.time - inv.time) / 1e6);
    }
  }
  return out;
}
const rank = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.ceil(q * xs.length) - 1]!;

let results: ResultsFile;
let lat: number[];
beforeAll(async () => {
  // 1,237 ops: odd counts, so an interpolating or averaging definition would land between two samples.
  writeSyntheticRun(runDir, { ops: 1237, seed: 7, meanLatencyMs: 3 });
  await analyzeRun(runDir, { timeoutS: 30 });
  results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as ResultsFile;
  lat = okWriteLatenciesMs(runDir);
}, 60_000);

describe('percentiles agree across pages on one run', () => {
  it('the definition: nearest rank, an observed value, the lower middle of an even count', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantileOfSorted([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantileOfSorted([10, 20, 30], 0)).toBe(10);
    // 0.999 × 1000 is 999.0000000000001 in floating point: still rank 999, not 1000.
    expect(nearestRank(0.999, 1000)).toBe(999);
    expect(nearestRank(0.99, 100)).toBe(99);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('results.json write latency p50/p99 are the exact nearest-rank values of the ok writes', () => {
    expect(lat.length).toBeGreaterThan(400);
    const w = results.latency.byOp['write']!['ok']!;
    expect(w.count).toBe(lat.length);
    expect(w.p50).toBe(r3(rank(lat, 0.5)));
    expect(w.p99).toBe(r3(rank(lat, 0.99)));
    expect(w.p999).toBe(r3(rank(lat, 0.999)));
  });

  it('the sweep cell (calm run) reports the same p50/p99 for the same calls', () => {
    const calm = scenarios({ timeLimitS: 10, quick: false, extra: [] }).find((s) => s.kind === 'calm')!;
    const m = measureRepetition([readFacts(runDir, calm)]);
    const w = results.latency.byOp['write']!['ok']!;
    expect(m.p50Ms).toBe(w.p50);
    expect(m.p99Ms).toBe(w.p99);
  });

  it('compare reports the same p50/p99 for the same calls', () => {
    const samples = loadRunSamples(runDir);
    expect(samples.commitMs.length).toBe(lat.length);
    const f = sideFigures([samples], 10, seeded(1));
    const w = results.latency.byOp['write']!['ok']!;
    expect(r3(f.value.p50)).toBe(w.p50);
    expect(r3(f.value.p99)).toBe(w.p99);
  });

  it('a scenario spread over the same latencies has the same median', () => {
    const s = spread(lat);
    expect(s.median).toBe(results.latency.byOp['write']!['ok']!.p50);
    expect(s.p90).toBe(r3(rank(lat, 0.9)));
  });
});
