// Compares two sets of runs metric by metric: values, relative change, 95% interval and verdict.
import { seeded } from './bootstrap.js';
import type { RunSamples } from './load.js';
import { METRIC_NAMES, METRICS, sideFigures, type MetricName } from './metrics.js';
import { DEFAULT_THRESHOLDS, DEFAULT_UNAVAILABILITY_FLOOR_S, judgeRatio, judgeUnavailability, type Judged, type MetricVerdict, type Thresholds } from './verdict.js';

export const COMPARE_SCHEMA = 'faultline.compare/1';

export interface CompareOptions {
  thresholds?: Thresholds;
  /** Bootstrap replicates per side (default 2000). */
  resamples?: number;
  /** Seed of the resampling, so the same inputs always give the same intervals. */
  seed?: number;
  unavailabilityFloorS?: number;
  /** Latency resampling unit within a run: seconds of load (default) or single ops. */
  blocks?: 'second' | 'op';
}

export interface MetricComparison extends Judged {
  metric: MetricName;
  label: string;
  unit: string;
  worse: 'higher' | 'lower';
  base: number | null;
  cand: number | null;
  threshold: number;
}

export interface SideInfo {
  runs: string[];
  /** ok commit ops and whole seconds of load summed over runs. */
  commitOps: number;
  loadS: number;
}

export interface CompareReport {
  schema: typeof COMPARE_SCHEMA;
  /** 'regression' iff some metric regressed: the exit code is 1 exactly then. */
  verdict: 'regression' | 'no regression';
  regressions: MetricName[];
  improvements: MetricName[];
  base: SideInfo;
  cand: SideInfo;
  resamples: number;
  seed: number;
  confidence: number;
  unavailabilityFloorS: number;
  /** What the bootstrap resamples within a run. */
  blocks: 'second' | 'op';
  metrics: MetricComparison[];
  /** Caveats the reader should see: unlike tests, single runs, rate-limited latency basis. */
  notes: string[];
}

const CONFIDENCE = 0.95;

function info(runs: readonly RunSamples[]): SideInfo {
  return {
    runs: runs.map((r) => r.dir),
    commitOps: runs.reduce((s, r) => s + r.commitMs.length, 0),
    loadS: runs.reduce((s, r) => s + r.okPerSecond.length, 0),
  };
}

function notesFor(base: readonly RunSamples[], cand: readonly RunSamples[]): string[] {
  const notes: string[] = [];
  const names = (rs: readonly RunSamples[]): string => [...new Set(rs.map((r) => r.name))].join(',');
  if (names(base) !== names(cand)) notes.push(`base runs are of test ${names(base)}, cand runs of ${names(cand)}: make sure they are comparable`);
  if (base.length === 1 || cand.length === 1) {
    notes.push('one run on a side: intervals cover noise within a run, not run-to-run variation; pass several runs per side for a stronger gate');
  }
  const bases = new Set([...base, ...cand].map((r) => r.basis));
  if (bases.size > 1) notes.push('some runs were rate-limited (latency from intended start) and some not: latencies are not comparable');
  for (const [role, rs] of [['base', base], ['cand', cand]] as const) {
    const empty = rs.filter((r) => r.commitMs.length === 0);
    if (empty.length) notes.push(`${empty.length} ${role} run(s) have no ok commit ops (write/put/append/cas): ${empty[0]!.dir}`);
  }
  return notes;
}

export function compareRuns(base: readonly RunSamples[], cand: readonly RunSamples[], o: CompareOptions = {}): CompareReport {
  const thresholds = o.thresholds ?? DEFAULT_THRESHOLDS;
  const resamples = o.resamples ?? 2000;
  const seed = o.seed ?? 1;
  const floorS = o.unavailabilityFloorS ?? DEFAULT_UNAVAILABILITY_FLOOR_S;
  // Independent streams per side so adding a run to one side does not reshuffle the other's replicates.
  const blocks = o.blocks ?? 'second';
  const b = sideFigures(base, resamples, seeded(seed), blocks);
  const c = sideFigures(cand, resamples, seeded(seed ^ 0x5bd1e995), blocks);
  const metrics = METRIC_NAMES.map((name): MetricComparison => {
    const bv = b.value[name];
    const cv = c.value[name];
    const thr = thresholds[name];
    const judged =
      name === 'unavailability'
        ? judgeUnavailability(bv, cv, b.replicates[name], c.replicates[name], thr, floorS, CONFIDENCE)
        : judgeRatio(name, bv, cv, b.replicates[name]!, c.replicates[name]!, thr, CONFIDENCE);
    const d = METRICS[name];
    return {
      metric: name,
      label: d.label,
      unit: d.unit,
      worse: d.worse,
      base: Number.isFinite(bv) ? bv : null,
      cand: Number.isFinite(cv) ? cv : null,
      threshold: thr,
      ...judged,
    };
  });
  const pick = (v: MetricVerdict): MetricName[] => metrics.filter((m) => m.verdict === v).map((m) => m.metric);
  const regressions = pick('regression');
  return {
    schema: COMPARE_SCHEMA,
    verdict: regressions.length ? 'regression' : 'no regression',
    regressions,
    improvements: pick('improvement'),
    base: info(base),
    cand: info(cand),
    resamples,
    seed,
    confidence: CONFIDENCE,
    unavailabilityFloorS: floorS,
    blocks,
    metrics,
    notes: notesFor(base, cand),
  };
}
