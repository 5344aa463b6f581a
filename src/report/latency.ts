// Latency distributions per operation type and outcome: percentiles 50/90/99/99.9, mean, min and max.
import { quantileOfSorted, sortedSample } from '../util/percentile.js';
import { latencyNs, type Call } from './calls.js';

/** Milliseconds, rounded to the microsecond; exact over every sample (nearest rank, src/util/percentile.ts). */
export interface Percentiles {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LatencyFigures {
  /** 'intended' when any op carried an intended start time (rate-limited run), else 'invoke'. */
  basis: 'intended' | 'invoke';
  /** Every completed op with outcome ok. */
  ok: Percentiles | null;
  /** f → outcome → percentiles (outcomes ok, fail, info; info only for ops that did complete). */
  byOp: Record<string, Record<string, Percentiles>>;
}

const ms = (x: number): number => Math.round(x * 1000) / 1000;

/** Figures of a sample of latencies in milliseconds, or null when it is empty. */
export function percentiles(latenciesMs: Iterable<number>): Percentiles | null {
  const s = sortedSample(latenciesMs);
  if (s.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return {
    count: s.length,
    min: ms(s[0]!),
    mean: ms(sum / s.length),
    p50: ms(quantileOfSorted(s, 0.5)),
    p90: ms(quantileOfSorted(s, 0.9)),
    p99: ms(quantileOfSorted(s, 0.99)),
    p999: ms(quantileOfSorted(s, 0.999)),
    max: ms(s[s.length - 1]!),
  };
}

export function latencyFigures(calls: readonly Call[]): LatencyFigures {
  const samples = new Map<string, number[]>();
  const okAll: number[] = [];
  let intended = false;
  for (const c of calls) {
    const ns = latencyNs(c);
    if (ns === undefined) continue;
    if (c.intended !== undefined) intended = true;
    const id = `${c.f}\u0000${c.outcome}`;
    let xs = samples.get(id);
    if (!xs) samples.set(id, (xs = []));
    xs.push(ns / 1e6);
    if (c.outcome === 'ok') okAll.push(ns / 1e6);
  }
  const byOp: Record<string, Record<string, Percentiles>> = {};
  for (const [id, xs] of [...samples].sort(([a], [b]) => a.localeCompare(b))) {
    const [f, outcome] = id.split('\u0000') as [string, string];
    (byOp[f] ??= {})[outcome] = percentiles(xs)!;
  }
  return { basis: intended ? 'intended' : 'invoke', ok: percentiles(okAll), byOp };
}
