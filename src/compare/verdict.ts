// Thresholds and the verdict rule: a regression only when the whole 95% interval lies past the threshold.
import { usageError } from '../util/errors.js';
import { percentileInterval } from './bootstrap.js';
import { METRIC_NAMES, METRICS, type MetricName } from './metrics.js';

export type MetricVerdict = 'regression' | 'improvement' | 'no significant change' | 'no data';

/** Largest tolerated relative change in the worse direction, as a fraction (0.1 = 10%). */
export type Thresholds = Record<MetricName, number>;

export const DEFAULT_THRESHOLDS: Thresholds = { p99: 0.1, p50: 0.1, throughput: 0.05, unavailability: 0.2 };

/** Unavailability changes smaller than this many seconds are never a verdict, whatever the ratio. */
export const DEFAULT_UNAVAILABILITY_FLOOR_S = 0.5;

/** "p99=10%,throughput=5%": percentages per metric; unnamed metrics keep their defaults. */
export function parseThresholds(raw: string | undefined): Thresholds {
  const t = { ...DEFAULT_THRESHOLDS };
  if (raw === undefined) return t;
  for (const part of raw.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]+)=(\d+(?:\.\d+)?)%?$/.exec(part);
    if (!m) throw usageError(`faultline compare: --max-regression entry "${part}" is not METRIC=PERCENT; write e.g. p99=10%,throughput=5%`);
    const name = m[1] as MetricName;
    if (!METRIC_NAMES.includes(name)) throw usageError(`faultline compare: --max-regression names unknown metric "${m[1]}"; use ${METRIC_NAMES.join(', ')}`);
    t[name] = Number(m[2]) / 100;
  }
  return t;
}

export interface Judged {
  verdict: MetricVerdict;
  /** Relative change cand/base − 1 (null when base is 0 or a side has no data). */
  change: number | null;
  /** 95% interval of the relative change; null when it cannot be had (a single run per side for runs-only metrics). */
  ci: [number, number] | null;
  /** cand − base in the metric's unit. */
  absChange: number | null;
  absCi: [number, number] | null;
  /** How the verdict was reached, one short phrase. */
  basis: string;
}

function replicateChanges(base: Float64Array, cand: Float64Array, relative: boolean): Float64Array {
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) out[i] = relative ? cand[i]! / base[i]! - 1 : cand[i]! - base[i]!;
  return out;
}

/** Mirrors the interval for metrics where lower is worse, so one rule serves both directions. */
function direction(name: MetricName, ci: [number, number], thr: number): MetricVerdict {
  const [lo, hi] = METRICS[name].worse === 'higher' ? ci : ([-ci[1], -ci[0]] as [number, number]);
  if (lo > thr) return 'regression';
  if (hi < -thr) return 'improvement';
  return 'no significant change';
}

/**
 * Latency and throughput: regression iff the whole 95% interval of the relative change is beyond the
 * threshold on the worse side; improvement iff it is wholly beyond it on the better side. Demanding the whole
 * interval (not the point estimate) is what keeps two runs of the same build from flapping.
 */
export function judgeRatio(name: MetricName, base: number, cand: number, rb: Float64Array, rc: Float64Array, thr: number, level: number): Judged {
  if (!Number.isFinite(base) || !Number.isFinite(cand) || base <= 0) {
    return { verdict: 'no data', change: null, ci: null, absChange: null, absCi: null, basis: 'a side has no samples' };
  }
  const ci = percentileInterval(replicateChanges(rb, rc, true), level);
  const absCi = percentileInterval(replicateChanges(rb, rc, false), level);
  const change = cand / base - 1;
  if (!ci) return { verdict: 'no data', change, ci: null, absChange: cand - base, absCi, basis: 'no finite replicates' };
  return { verdict: direction(name, ci, thr), change, ci, absChange: cand - base, absCi, basis: 'whole 95% CI vs threshold' };
}

/**
 * Unavailability (seconds, a per-run total): a change also has to exceed `floorS` in absolute terms, because
 * 0.1 s → 0.2 s is +100% and means nothing. With at least two runs per side: regression iff the absolute
 * interval is wholly above the floor and the relative interval wholly above the threshold (the relative
 * part is skipped when base is 0). With one run on a side there is no interval: the point estimates decide.
 */
export function judgeUnavailability(base: number, cand: number, rb: Float64Array | null, rc: Float64Array | null, thr: number, floorS: number, level: number): Judged {
  const change = base > 0 ? cand / base - 1 : cand > 0 ? null : 0;
  const absChange = cand - base;
  if (!rb || !rc) {
    const bad = absChange > floorS && (change === null || change > thr);
    const good = -absChange > floorS && change !== null && change < -thr;
    return {
      verdict: bad ? 'regression' : good ? 'improvement' : 'no significant change',
      change,
      ci: null,
      absChange,
      absCi: null,
      basis: `CI n/a (1 run on a side): point estimate vs threshold and ${floorS} s floor`,
    };
  }
  const absCi = percentileInterval(replicateChanges(rb, rc, false), level)!;
  const ci = base > 0 ? percentileInterval(replicateChanges(rb, rc, true), level) : null;
  const relBad = ci === null ? true : ci[0] > thr;
  const relGood = ci !== null && ci[1] < -thr;
  const verdict: MetricVerdict = absCi[0] > floorS && relBad ? 'regression' : absCi[1] < -floorS && relGood ? 'improvement' : 'no significant change';
  return { verdict, change, ci, absChange, absCi, basis: `whole 95% CI vs threshold and ${floorS} s floor (runs resampled)` };
}
