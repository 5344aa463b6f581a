// The one percentile definition every page uses: nearest rank on the sorted sample.
//
// Why nearest rank: it always answers with a latency that was observed (an interpolated p99 of 50 ops is a
// value no op had), it is what HdrHistogram's getValueAtPercentile approximates (so figures read like
// wrk/etcd-benchmark output), and the bootstrap in compare can compute it from rank counts alone without
// sorting each replicate. Medians follow the same rule: of an even count, the lower middle value.

/**
 * 1-based rank of the q-quantile among n sorted values: ceil(q·n), clamped to 1..n. The epsilon keeps a
 * product such as 0.999 × 1000 = 999.0000000000001 from rounding up one rank too far.
 */
export function nearestRank(q: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
}

/** The q-quantile (q in 0..1) of values sorted ascending: the smallest with at least q of them at or below. NaN when empty. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[nearestRank(q, sorted.length) - 1]!;
}

/** The values as a Float64Array sorted ascending (a copy; the input is left alone). */
export function sortedSample(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** The q-quantile of unsorted values, or null when there are none. */
export function quantile(values: Iterable<number>, q: number): number | null {
  const s = sortedSample(values);
  return s.length === 0 ? null : quantileOfSorted(s, q);
}

/** The median of unsorted values (the lower middle one of an even count), or null when there are none. */
export const median = (values: Iterable<number>): number | null => quantile(values, 0.5);
