// Medians and spreads over trials: the numbers every verdict and page shows.
import { quantileOfSorted as quantile } from '../util/percentile.js';
import type { Spread } from './types.js';

const r = (x: number): number => Math.round(x * 1000) / 1000;

/** Nulls (a figure a trial could not produce) are left out, and n says how many remained. */
export function spread(values: readonly (number | null | undefined)[]): Spread {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, median: null, p10: null, p90: null, min: null, max: null };
  return { n: v.length, median: r(quantile(v, 0.5)), p10: r(quantile(v, 0.1)), p90: r(quantile(v, 0.9)), min: r(v[0]!), max: r(v[v.length - 1]!) };
}

/** "1.31 s (p10 1.05, p90 1.83, n 20)" — how a spread reads in a verdict sentence. */
export function describe(s: Spread, unit: string): string {
  if (s.median === null) return 'no value';
  const u = unit === 'count' || unit === 'ratio' ? '' : ` ${unit}`;
  if (s.n === 1) return `${s.median}${u} (one trial)`;
  return `${s.median}${u} median (min ${s.min}, p10 ${s.p10}, p90 ${s.p90}, max ${s.max}; n ${s.n})`;
}
