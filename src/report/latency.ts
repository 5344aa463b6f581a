// Latency distributions with HdrHistogram: per operation type and outcome, percentiles 50/90/99/99.9/max.
import { build, type Histogram } from 'hdr-histogram-js';
import { latencyNs, type Call } from './calls.js';

/** Milliseconds; hdr keeps 3 significant digits, so every figure is within 0.1% of the exact value. */
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

/** Microsecond histogram: 1 µs to one hour, 3 significant digits. */
export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function recordNs(h: Histogram, ns: number): void {
  h.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(ns / 1000))));
}

const ms = (us: number): number => Math.round(us) / 1000;

export function percentiles(h: Histogram): Percentiles | null {
  if (h.totalCount === 0) return null;
  return {
    count: h.totalCount,
    min: ms(h.minNonZeroValue),
    mean: Math.round(h.mean) / 1000,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

export function latencyFigures(calls: readonly Call[]): LatencyFigures {
  const hists = new Map<string, Histogram>();
  const okAll = newHistogram();
  let intended = false;
  for (const c of calls) {
    const ns = latencyNs(c);
    if (ns === undefined) continue;
    if (c.intended !== undefined) intended = true;
    const id = `${c.f}\u0000${c.outcome}`;
    let h = hists.get(id);
    if (!h) hists.set(id, (h = newHistogram()));
    recordNs(h, ns);
    if (c.outcome === 'ok') recordNs(okAll, ns);
  }
  const byOp: Record<string, Record<string, Percentiles>> = {};
  for (const [id, h] of [...hists].sort(([a], [b]) => a.localeCompare(b))) {
    const [f, outcome] = id.split('\u0000') as [string, string];
    (byOp[f] ??= {})[outcome] = percentiles(h)!;
  }
  return { basis: intended ? 'intended' : 'invoke', ok: percentiles(okAll), byOp };
}
