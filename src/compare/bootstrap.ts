// Hierarchical bootstrap over runs and the samples within them: resample runs, then samples inside each one.
import { seeded, type Random } from '../generator/random.js';
import { nearestRank, quantileOfSorted } from '../util/percentile.js';

export { seeded, type Random };

/**
 * One side of a comparison: several runs, each a bag of samples. Resampling runs first is what lets the
 * interval include run-to-run variation (a fresh cluster, another neighbour on the machine); resampling
 * samples inside a run adds the noise of a finite run. With one run only the second part is left.
 */
export type Side = readonly Float64Array[];

/** Point estimates of quantiles over all samples of all runs pooled. */
export function pooledQuantiles(side: readonly (Float64Array | BlockedRun)[], qs: readonly number[]): number[] {
  const arrays = side.map((r) => (r instanceof Float64Array ? r : r.values));
  const n = arrays.reduce((s, r) => s + r.length, 0);
  const all = new Float64Array(n);
  let o = 0;
  for (const r of arrays) {
    all.set(r, o);
    o += r.length;
  }
  all.sort();
  return qs.map((q) => quantileOfSorted(all, q));
}

export function pooledMean(side: Side): number {
  let s = 0;
  let n = 0;
  for (const r of side) {
    for (let i = 0; i < r.length; i++) s += r[i]!;
    n += r.length;
  }
  return n === 0 ? NaN : s / n;
}

/**
 * A run's samples grouped into blocks (the second of the load each op started in). Resampling whole blocks
 * keeps a burst of slowness together, as it happened: a neighbour that slows the machine for two seconds
 * makes those ops slow together, and treating them as independent would make the interval too narrow.
 */
export interface BlockedRun {
  values: Float64Array;
  /** Block of each sample, 0..blocks-1; absent = every sample its own block (the classic op bootstrap). */
  block?: Int32Array;
  /** Number of blocks including empty ones (seconds with no sample still count as drawn seconds). */
  blocks?: number;
}

/**
 * Draws bootstrap replicates of quantiles of the pooled samples: resample runs, then blocks within each
 * resampled run. Every sample of the side is sorted once; each block keeps the sorted positions of its
 * samples. A replicate only counts how often each position was drawn and scans the counts once for all
 * quantiles: no copying, sorting or selection per replicate, so 2,000 replicates of 10,000 samples take
 * tens of milliseconds.
 */
export function quantileReplicates(side: readonly (Float64Array | BlockedRun)[], qs: readonly number[], resamples: number, rng: Random): Float64Array[] {
  const runs = side.map((r) => (r instanceof Float64Array ? { values: r } : r)).filter((r) => r.values.length > 0);
  const out = qs.map(() => new Float64Array(resamples).fill(NaN));
  if (runs.length === 0) return out;
  const n = runs.reduce((s, r) => s + r.values.length, 0);
  const values = new Float64Array(n);
  const owner = new Int32Array(n);
  let o = 0;
  runs.forEach((r, ri) => {
    values.set(r.values, o);
    owner.fill(ri, o, o + r.values.length);
    o += r.values.length;
  });
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]!);
  const sortedValues = new Float64Array(n);
  const rank = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    sortedValues[p] = values[order[p]!]!;
    rank[order[p]!] = p;
  }
  // Per run, block b's sorted positions are pos[start[b] .. start[b+1]) (compressed rows).
  const layout = runs.map((r, ri) => {
    const m = r.values.length;
    const base = runs.slice(0, ri).reduce((s, x) => s + x.values.length, 0);
    let nb = m;
    if (r.block) {
      nb = r.blocks ?? 0;
      for (let i = 0; i < m; i++) if (r.block[i]! >= nb) nb = r.block[i]! + 1;
    }
    const start = new Int32Array(nb + 1);
    const pos = new Int32Array(m);
    if (!r.block) {
      for (let i = 0; i < m; i++) {
        start[i + 1] = i + 1;
        pos[i] = rank[base + i]!;
      }
    } else {
      for (let i = 0; i < m; i++) start[r.block[i]! + 1]!++;
      for (let b = 0; b < nb; b++) start[b + 1]! += start[b]!;
      const fill = start.slice(0, nb);
      for (let i = 0; i < m; i++) pos[fill[r.block[i]!]!++] = rank[base + i]!;
    }
    return { nb, start, pos };
  });
  const counts = new Uint32Array(n);
  const ranks = new Float64Array(qs.length);
  // Quantiles are scanned in ascending order whatever order they were asked in.
  const qOrder = qs.map((_, i) => i).sort((a, b) => qs[a]! - qs[b]!);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    let total = 0;
    for (let k = 0; k < runs.length; k++) {
      const { nb, start, pos } = layout[Math.floor(rng() * runs.length)]!;
      for (let j = 0; j < nb; j++) {
        const blk = Math.floor(rng() * nb);
        const end = start[blk + 1]!;
        for (let x = start[blk]!; x < end; x++) counts[pos[x]!]!++;
        total += end - start[blk]!;
      }
    }
    if (total === 0) continue;
    for (let j = 0; j < qs.length; j++) ranks[j] = nearestRank(qs[j]!, total);
    let cum = 0;
    let next = 0;
    for (let p = 0; p < n && next < qOrder.length; p++) {
      cum += counts[p]!;
      while (next < qOrder.length && cum >= ranks[qOrder[next]!]!) {
        out[qOrder[next]!]![b] = sortedValues[p]!;
        next++;
      }
    }
  }
  return out;
}

/** Bootstrap replicates of the pooled mean: resample runs, then samples within each resampled run. */
export function meanReplicates(side: Side, resamples: number, rng: Random): Float64Array {
  const runs = side.filter((r) => r.length > 0);
  const out = new Float64Array(resamples).fill(NaN);
  if (runs.length === 0) return out;
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    let total = 0;
    for (let k = 0; k < runs.length; k++) {
      const r = runs[Math.floor(rng() * runs.length)]!;
      const m = r.length;
      for (let j = 0; j < m; j++) s += r[Math.floor(rng() * m)]!;
      total += m;
    }
    out[b] = s / total;
  }
  return out;
}

/** Bootstrap replicates of the mean of one value per run, resampling runs only. */
export function runMeanReplicates(values: readonly number[], resamples: number, rng: Random): Float64Array {
  return meanReplicates([Float64Array.from(values)], resamples, rng);
}

/** Percentile interval of replicates (NaN replicates are dropped); null when there are none. */
export function percentileInterval(replicates: Float64Array, level = 0.95): [number, number] | null {
  const finite = replicates.filter((x) => Number.isFinite(x)).sort();
  if (finite.length === 0) return null;
  const a = (1 - level) / 2;
  return [quantileOfSorted(finite, a), quantileOfSorted(finite, 1 - a)];
}
