// The metrics compare judges: what each measures, which direction is worse, and its estimate and replicates.
import { meanReplicates, pooledMean, pooledQuantiles, quantileReplicates, runMeanReplicates, type Random } from './bootstrap.js';
import type { RunSamples } from './load.js';

export type MetricName = 'p50' | 'p99' | 'throughput' | 'unavailability';

export const METRIC_NAMES: readonly MetricName[] = ['p50', 'p99', 'throughput', 'unavailability'];

export interface MetricDef {
  name: MetricName;
  /** What it is, for tables: "p99 commit latency". */
  label: string;
  unit: 'ms' | 'ok/s' | 's';
  /** Direction of a regression. */
  worse: 'higher' | 'lower';
}

export const METRICS: Record<MetricName, MetricDef> = {
  p50: { name: 'p50', label: 'p50 commit latency', unit: 'ms', worse: 'higher' },
  p99: { name: 'p99', label: 'p99 commit latency', unit: 'ms', worse: 'higher' },
  throughput: { name: 'throughput', label: 'throughput (ok ops/s)', unit: 'ok/s', worse: 'lower' },
  unavailability: { name: 'unavailability', label: 'unavailability', unit: 's', worse: 'higher' },
};

/** A side's point estimate and bootstrap replicates for every metric (replicates null: runs only, too few). */
export interface SideFigures {
  value: Record<MetricName, number>;
  replicates: Record<MetricName, Float64Array | null>;
}

/**
 * Latency quantiles pool ok commit ops of all runs and resample runs, then seconds of load (each second's ops
 * together; `blocks: 'op'` resamples single ops instead); throughput is the mean of per-second ok counts, so
 * it resamples the same way: runs, then seconds. Unavailability is the mean of per-run totals, resampled over
 * runs only because one run has one total — with a single run there is nothing to resample.
 */
export function sideFigures(runs: readonly RunSamples[], resamples: number, rng: Random, blocks: 'second' | 'op' = 'second'): SideFigures {
  const commit = runs.map((r) => (blocks === 'op' ? r.commitMs : { values: r.commitMs, block: r.commitSecond, blocks: r.okPerSecond.length }));
  const perSecond = runs.map((r) => r.okPerSecond);
  const unavailable = runs.map((r) => r.unavailableS);
  const [p50, p99] = pooledQuantiles(commit, [0.5, 0.99]);
  const [r50, r99] = quantileReplicates(commit, [0.5, 0.99], resamples, rng);
  return {
    value: {
      p50: p50!,
      p99: p99!,
      throughput: pooledMean(perSecond),
      unavailability: unavailable.reduce((s, x) => s + x, 0) / unavailable.length,
    },
    replicates: {
      p50: r50!,
      p99: r99!,
      throughput: meanReplicates(perSecond, resamples, rng),
      unavailability: runs.length >= 2 ? runMeanReplicates(unavailable, resamples, rng) : null,
    },
  };
}
