// Unit tests of the derived figures on synthetic histories whose answers are known.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import { faultImpact, unavailability } from '../../src/report/availability.js';
import { pairCalls } from '../../src/report/calls.js';
import { jsonForScript, escapeHtml } from '../../src/report/escape.js';
import { latencyFigures } from '../../src/report/latency.js';
import { loadRun } from '../../src/report/load-run.js';
import { electionsFromLogs } from '../../src/report/log-elections.js';
import { alerts, histogramQuantile, raftHealth, walFsyncP99MsIn } from '../../src/report/raft-health.js';
import { buildSeries } from '../../src/report/series.js';
import { faultWindows, stalls, windowFigures } from '../../src/report/windows.js';
import { measure } from '../../src/report/measure.js';
import { buildJunit } from '../../src/report/junit.js';
import type { MetricsSample } from '../../src/system/system.js';
import { etcdSystem } from '../../src/system/etcd.js';

const S = 1e9;
const MS = 1e6;

/** A history builder: sequential ops per process with exact times (ns). */
function hist(): { ops: Op[]; op(p: number | 'nemesis', f: string, start: number, end: number | null, type?: 'ok' | 'fail' | 'info', extra?: Partial<Op>): void } {
  const ops: Op[] = [];
  return {
    ops,
    op(p, f, start, end, type = 'ok', extra = {}) {
      ops.push({ index: 0, time: start, process: p, type: p === 'nemesis' ? 'info' : 'invoke', f, value: f === 'read' ? null : 1, ...extra });
      if (end !== null) ops.push({ index: 0, time: end, process: p, type: p === 'nemesis' ? 'info' : type, f, value: 1 });
    },
  };
}
const sorted = (ops: Op[]): Op[] => ops.sort((a, b) => a.time - b.time).map((o, i) => ({ ...o, index: i }));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('availability', () => {
  it('reports a 2 s gap between successful writes as one 2 s window', () => {
    const h = hist();
    for (let t = 0; t <= 3 * S; t += 100 * MS) h.op(0, 'write', t, t + 1 * MS);
    // Nothing succeeds from 3.001 s to 5.001 s: the writes in between fail.
    h.op(0, 'write', 3.2 * S, 3.3 * S, 'fail');
    for (let t = 5 * S; t <= 6 * S; t += 100 * MS) h.op(0, 'write', t, t + 1 * MS);
    const w = unavailability(pairCalls(sorted(h.ops)), 1);
    expect(w).toHaveLength(1);
    expect(w[0]!.fromS).toBeCloseTo(3.001, 6);
    expect(w[0]!.toS).toBeCloseTo(5.001, 6);
    expect(w[0]!.durationS).toBeCloseTo(2, 6);
  });

  it('ignores gaps at or below the threshold and counts reads as no proof of write availability', () => {
    const h = hist();
    for (let t = 0; t <= 3 * S; t += 900 * MS) h.op(0, 'write', t, t + 1 * MS);
    for (let t = 0; t <= 3 * S; t += 50 * MS) h.op(1, 'read', t, t + 1 * MS);
    expect(unavailability(pairCalls(sorted(h.ops)), 1)).toEqual([]);
    expect(unavailability(pairCalls(sorted(h.ops)), 0.5)).toHaveLength(3);
  });

  it('measures time to the first error after a fault and recovery per node after the heal', () => {
    const h = hist();
    h.op('nemesis', 'start-partition', 2 * S, 2 * S + 1 * MS);
    h.op('nemesis', 'stop-partition', 4 * S, 4 * S + 1 * MS);
    h.op(0, 'write', 1 * S, 1.01 * S, 'ok', { node: 'n1' });
    h.op(0, 'write', 2.1 * S, 2.5 * S, 'info', { node: 'n1' });
    h.op(1, 'write', 4.2 * S, 4.3 * S, 'ok', { node: 'n1' });
    h.op(2, 'write', 4.0 * S, 4.6 * S, 'ok', { node: 'n2' });
    const ops = sorted(h.ops);
    const [w] = faultWindows(ops, 5 * S);
    expect(w).toMatchObject({ fault: 'partition', startS: 2, endS: 4.001, open: false });
    const impact = faultImpact(pairCalls(ops), w!, ['n1', 'n2']);
    expect(impact.firstErrorS).toBeCloseTo(0.5, 6);
    expect(impact.recoveryByNodeS.n1).toBeCloseTo(0.299, 6);
    expect(impact.recoveryByNodeS.n2).toBeCloseTo(0.599, 6);
    expect(impact.recoveryAllS).toBeCloseTo(0.599, 6);
  });
});

describe('latency', () => {
  it('gives known percentiles of a known distribution within HdrHistogram precision', () => {
    const h = hist();
    for (let i = 1; i <= 1000; i++) h.op(i, 'write', i * MS, i * MS + i * MS);
    const lat = latencyFigures(pairCalls(sorted(h.ops)));
    const p = lat.byOp.write!.ok!;
    expect(p.count).toBe(1000);
    for (const [got, want] of [[p.p50, 500], [p.p90, 900], [p.p99, 990], [p.p999, 999], [p.max, 1000], [p.min, 1]] as const) {
      expect(Math.abs(got - want) / want).toBeLessThan(0.001);
    }
    expect(lat.basis).toBe('invoke');
  });

  it('measures from the intended start so coordinated omission does not hide a stall', () => {
    const h = hist();
    // Rate 10/s, but the client was blocked for 1 s: the second op was meant at 0.1 s and ran at 1.1 s.
    h.op(0, 'write', 0, 1 * MS, 'ok', { intended: 0 });
    h.op(0, 'write', 1.1 * S, 1.1 * S + 1 * MS, 'ok', { intended: 0.1 * S });
    const lat = latencyFigures(pairCalls(sorted(h.ops)));
    expect(lat.basis).toBe('intended');
    expect(lat.ok!.max).toBeGreaterThan(1000);
    expect(lat.ok!.max).toBeLessThan(1002);
  });

  it('keeps outcomes apart per operation type', () => {
    const h = hist();
    h.op(0, 'read', 0, 2 * MS);
    h.op(1, 'write', 0, 5 * MS, 'fail');
    h.op(2, 'write', 0, 7 * MS, 'info');
    h.op(3, 'write', 0, null);
    const lat = latencyFigures(pairCalls(sorted(h.ops)));
    expect(Object.keys(lat.byOp).sort()).toEqual(['read', 'write']);
    expect(lat.byOp.write!.fail!.p50).toBeCloseTo(5, 2);
    expect(lat.byOp.write!.info!.count).toBe(1);
    expect(lat.ok!.count).toBe(1);
  });
});

describe('series and windows', () => {
  it('counts throughput per second by outcome and bounds the scatter while keeping failures', () => {
    const h = hist();
    for (let i = 0; i < 3000; i++) h.op(i, 'write', i * MS, i * MS + 0.5 * MS, i % 100 === 0 ? 'fail' : 'ok');
    const s = buildSeries(pairCalls(sorted(h.ops)), 3 * S, 500);
    expect(s.throughput[0]).toMatchObject({ t: 0, ok: 990, fail: 10 });
    expect(s.throughput[2]).toMatchObject({ t: 2, ok: 990, fail: 10 });
    expect(s.scatter.length).toBeLessThanOrEqual(500);
    expect(s.scatter.filter((p) => p.outcome === 'fail')).toHaveLength(30);
    expect(s.scatter.length + s.scatterDropped).toBe(3000);
  });

  it('gives before/during/after figures and flags a window with a harness stall as suspect', () => {
    const h = hist();
    h.op('nemesis', 'start-kill', 2 * S, null);
    h.op('nemesis', 'stop-kill', 4 * S, null);
    for (let t = 0; t < 6 * S; t += 10 * MS) {
      const slow = t >= 2 * S && t < 4 * S;
      h.op(Math.floor(t / (10 * MS)), 'write', t, t + (slow ? 50 : 1) * MS);
    }
    const ops = sorted(h.ops);
    const w = faultWindows(ops, 6 * S);
    const [f] = windowFigures(pairCalls(ops), w, 6);
    expect(f!.before.okPerS).toBeCloseTo(100, 0);
    expect(f!.during.p99Ms).toBeCloseTo(50, 3);
    expect(f!.after.p99Ms).toBeCloseTo(1, 3);
    const st = stalls([{ time: 3 * S, type: 'stall', ms: 500 }]);
    expect(st).toEqual([{ startS: 2.5, endS: 3, ms: 500 }]);
  });
});

describe('raft health', () => {
  const fixtures = join(import.meta.dirname, 'fixtures');
  const logs = Object.fromEntries(['n1', 'n2', 'n3'].map((n) => [n, readFileSync(join(fixtures, `${n}.log`), 'utf8')]));
  // Time zero at 21:26:10, between the cluster's first election (21:26:07.8) and the leader being killed.
  const t0 = Date.parse('2026-11-23T21:26:10.000Z');

  it('finds elections with their duration in a real etcd 3.4 log', () => {
    const h = raftHealth(electionsFromLogs(logs, t0, etcdSystem), [], 60, [], true);
    expect(h.elections.map((e) => e.term)).toEqual([2, 3]);
    const e = h.elections[1]!;
    expect(e.leader).toBe('n2');
    expect(e.startS).toBeCloseTo(11.227, 3);
    expect(e.durationS).toBeCloseTo(0.003, 3);
    expect(h.leaderChanges).toBe(1);
    expect(h.termStart).toBe(2);
    expect(h.termEnd).toBe(3);
  });

  it('computes p99 from bucket deltas, follower lag, and raises alerts above thresholds', () => {
    const sample = (t: number, node: string, committed: number, applied: number, slow: number): MetricsSample => ({
      time: t * S,
      node,
      values: {
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"}': 100,
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.064"}': 100 + slow,
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.128"}': 100 + 2 * slow,
        'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"}': 100 + 2 * slow,
        etcd_server_proposals_committed_total: committed,
        etcd_server_proposals_applied_total: applied,
        etcd_server_proposals_failed_total: t,
      },
    });
    const samples = [sample(0, 'n1', 10, 10, 0), sample(0, 'n2', 10, 10, 0), sample(1, 'n1', 5000, 5000, 0), sample(1, 'n2', 3000, 2990, 500)];
    const h = raftHealth([], samples, 60, [], false);
    expect(h.walFsyncP99Ms.n1).toBeNull();
    // n2: 1000 slow fsyncs in the last interval, half ≤64 ms, half ≤128 ms: p99 interpolates to 126.72 ms.
    expect(h.walFsyncP99Ms.n2).toBeCloseTo(126.72, 2);
    expect(h.followerLagMax).toEqual({ n1: 0, n2: 2010 });
    expect(h.proposalsFailed.n1).toBe(1);
    const ids = alerts(h).map((a) => `${a.id}:${a.node ?? ''}`);
    expect(ids).toEqual(['wal-fsync:n2', 'follower-lag:n2']);
    expect(histogramQuantile(0.5, new Map([[0.1, 10], [Infinity, 10]]))).toBeCloseTo(0.05, 6);
  });
});

describe('stored runs', () => {
  it('tolerates a truncated last line and missing node files, and says the run is partial', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-partial-'));
    dirs.push(dir);
    const lines = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1, node: 'n1' },
      { index: 1, time: 2 * MS, process: 0, type: 'ok', f: 'write', value: 1 },
    ].map((l) => JSON.stringify(l));
    writeFileSync(join(dir, 'history.jsonl'), lines.join('\n') + '\n{"index":2,"ti');
    mkdirSync(join(dir, 'nodes', 'n1'), { recursive: true });
    const run = loadRun(dir);
    expect(run.history).toHaveLength(2);
    expect(run.problems.join('\n')).toMatch(/truncated/);
    expect(run.problems.join('\n')).toMatch(/metrics.jsonl is missing/);
    const { results } = measure(run, { valid: 'unknown', model: null, message: 'no checker', failingKeys: [], partitions: 0, ms: 0 });
    expect(results.run.partial).toBe(true);
    expect(results.ops).toMatchObject({ total: 1, ok: 1 });
    expect(buildJunit(results)).toContain('<skipped message="no checker"/>');
    // A transaction run's case is named for the consistency model it was checked against, not "linearizable".
    const txn = measure(run, { valid: false, model: 'list-append', property: 'strict-serializable', message: 'G-single: 1', failingKeys: [], partitions: 1, ms: 3 }).results;
    const xml = buildJunit(txn);
    expect(xml).toContain('name="strict-serializable"');
    expect(xml).toContain('type="not-strict-serializable">G-single: 1</failure>');
    expect(xml).not.toContain('linearizable');
  });

  it('rejects a corrupt line in the middle with its file and line number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-corrupt-'));
    dirs.push(dir);
    const op = (i: number): string => JSON.stringify({ index: i, time: i, process: 0, type: i % 2 ? 'ok' : 'invoke', f: 'write', value: 1 });
    writeFileSync(join(dir, 'history.jsonl'), `${op(0)}\nnot json\n${op(1)}\n`);
    expect(() => loadRun(dir)).toThrow(/history.jsonl:2: not a JSON line/);
  });

  it('validates every op of a stored history as check does (analyze no longer reads it unchecked)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-invalid-'));
    dirs.push(dir);
    const ok = JSON.stringify({ index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1 });
    writeFileSync(join(dir, 'history.jsonl'), `${ok}\n{"index":1,"time":5,"process":0,"type":"done","f":"write"}\n`);
    expect(() => loadRun(dir)).toThrow(/history.jsonl:2: "type" must be invoke, ok, fail or info, got "done"/);
    writeFileSync(join(dir, 'history.jsonl'), `${ok}\n{"index":7,"time":5,"process":0,"type":"ok","f":"write"}\n`);
    expect(() => loadRun(dir)).toThrow(/history.jsonl:2: "index" is 7 but this is op 1/);
  });
});

describe('escaping', () => {
  it('keeps hostile values inert in script JSON and in HTML', () => {
    const v = { s: '</script><img src=x onerror=alert(1)> <!-- \u2028' };
    const j = jsonForScript(v);
    expect(j).not.toMatch(/[<>]/);
    expect(JSON.parse(j)).toEqual(v);
    expect(escapeHtml('<b a="1">&\'')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
  });
});

describe('walFsyncP99MsIn', () => {
  // Cumulative fsync buckets of one node, sampled each second: 100 fast fsyncs a second, then 2 s of 10 slow ones.
  const NS = 1e9;
  const sample = (s: number, fast: number, slow: number, node = 'n1'): MetricsSample => ({
    time: s * NS,
    node,
    values: {
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.004"}': fast,
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="0.128"}': fast + slow,
      'etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"}': fast + slow,
    },
  });
  const samples = [sample(0, 0, 0), sample(1, 100, 0), sample(2, 200, 0), sample(3, 200, 10), sample(4, 200, 20), sample(5, 300, 20), sample(6, 400, 20), sample(3, 999, 999, 'n2')];
  it("counts only the fsyncs between the window's samples, and only the node's", () => {
    // Inside the slow window every fsync is slow: p99 in the 4-128 ms bucket.
    expect(walFsyncP99MsIn(samples, 'n1', 2 * NS, 4 * NS)).toBeGreaterThan(100);
    // Over the whole run the 20 slow fsyncs are 4.8%: p99 still slow; with more fast ones around it would not be.
    expect(walFsyncP99MsIn(samples, 'n1', 0, 3 * NS)).toBeGreaterThan(4);
    expect(walFsyncP99MsIn(samples, 'n1', 0, 2 * NS)).toBeLessThanOrEqual(4);
    // One sample is no interval.
    expect(walFsyncP99MsIn(samples, 'n1', 3 * NS, 3 * NS)).toBeNull();
  });
});
