// Time series for the charts: throughput per second by outcome, latency quantiles over time, a bounded scatter.
import { quantileOfSorted, sortedSample } from '../util/percentile.js';
import { latencyNs, type Call } from './calls.js';

export interface ThroughputPoint {
  /** Bucket start, seconds since the test began (by completion time). */
  t: number;
  ok: number;
  fail: number;
  info: number;
}

export interface QuantilePoint {
  /** Bucket start, seconds (by invocation time, as Jepsen plots latency). */
  t: number;
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export interface ScatterPoint {
  /** Invocation (or intended) time, seconds. */
  t: number;
  /** Latency, ms. */
  ms: number;
  f: string;
  outcome: string;
}

export interface Series {
  /** Width of a bucket in seconds: 1, or wider for long runs so a chart has at most ~600 points. */
  bucketS: number;
  /** Rates are per second even when buckets are wider. */
  throughput: ThroughputPoint[];
  latency: QuantilePoint[];
  scatter: ScatterPoint[];
  /** Ops the scatter left out to stay small (it always keeps every failure and the slowest op of each bin). */
  scatterDropped: number;
}

const NS = 1e9;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function buildSeries(calls: readonly Call[], endNs: number, scatterCap = 8000): Series {
  const durationS = Math.max(1, endNs / NS);
  const bucketS = Math.max(1, Math.ceil(durationS / 600));
  const n = Math.ceil(durationS / bucketS) + 1;
  const tp: ThroughputPoint[] = Array.from({ length: n }, (_, i) => ({ t: i * bucketS, ok: 0, fail: 0, info: 0 }));
  const lat: number[][] = Array.from({ length: n }, () => []);
  for (const c of calls) {
    if (c.complete !== undefined) {
      const b = Math.min(n - 1, Math.floor(c.complete / NS / bucketS));
      tp[b]![c.outcome]++;
      const l = latencyNs(c)!;
      if (c.outcome === 'ok') lat[Math.min(n - 1, Math.floor((c.intended ?? c.invoke) / NS / bucketS))]!.push(l / 1e6);
    }
  }
  for (const p of tp) {
    p.ok /= bucketS;
    p.fail /= bucketS;
    p.info /= bucketS;
  }
  const latency: QuantilePoint[] = [];
  lat.forEach((xs, i) => {
    if (xs.length === 0) return;
    const s = sortedSample(xs);
    latency.push({ t: i * bucketS, p50: round3(quantileOfSorted(s, 0.5)), p99: round3(quantileOfSorted(s, 0.99)), max: round3(s[s.length - 1]!), count: s.length });
  });
  const { points, dropped } = downsample(calls, durationS, scatterCap);
  return { bucketS, throughput: tp, latency, scatter: points, scatterDropped: dropped };
}

/**
 * Keeps the scatter bounded: every failed/indeterminate op up to half the cap, then for ok ops the slowest op of
 * each of `cap/4` time bins (so stalls stay visible) plus an even stride through the rest.
 */
function downsample(calls: readonly Call[], durationS: number, cap: number): { points: ScatterPoint[]; dropped: number } {
  const completed = calls.filter((c) => c.complete !== undefined);
  const point = (c: Call): ScatterPoint => ({ t: round3((c.intended ?? c.invoke) / NS), ms: round3(latencyNs(c)! / 1e6), f: c.f, outcome: c.outcome });
  if (completed.length <= cap) return { points: completed.map(point), dropped: 0 };
  const bad = completed.filter((c) => c.outcome !== 'ok');
  const ok = completed.filter((c) => c.outcome === 'ok');
  const keepBad = bad.length <= cap / 2 ? bad : bad.filter((_, i) => i % Math.ceil(bad.length / (cap / 2)) === 0);
  const bins = Math.floor(cap / 4);
  const slowest = new Map<number, Call>();
  for (const c of ok) {
    const b = Math.min(bins - 1, Math.floor(((c.intended ?? c.invoke) / NS / durationS) * bins));
    const cur = slowest.get(b);
    if (!cur || latencyNs(c)! > latencyNs(cur)!) slowest.set(b, c);
  }
  const room = Math.max(0, cap - keepBad.length - slowest.size);
  const stride = Math.max(1, Math.ceil(ok.length / Math.max(1, room)));
  const keep = new Set<Call>(slowest.values());
  for (let i = 0; i < ok.length && keep.size < cap - keepBad.length; i += stride) keep.add(ok[i]!);
  const points = [...keepBad, ...keep].map(point).sort((a, b) => a.t - b.t);
  return { points, dropped: completed.length - points.length };
}
