// results.json: the machine-readable record of one run's verdict and every figure the report shows (stable keys).
import type { Json } from '../history/op.js';
import type { RaftSettings } from '../system/system.js';
import type { Unavailability, FaultImpact } from './availability.js';
import type { LatencyFigures, Percentiles } from './latency.js';
import type { ClockPoint } from './clock-plot.js';
import type { DurabilityFigures } from './durability.js';
import type { Alert, RaftHealth } from './raft-health.js';
import type { Series } from './series.js';
import type { FaultWindow, Stall, WindowFigures } from './windows.js';

export type Verdict = true | false | 'unknown';

export interface NodeCrashFigure {
  node: string;
  /** Seconds since time zero. */
  atS: number;
  exit: string;
  /** The node's last log lines. */
  log: string[];
}

/** Bump when a key changes meaning or disappears; adding keys does not bump it. */
export const RESULTS_SCHEMA = 'faultline.results/1';

export interface RunSummary {
  name: string;
  runId: string;
  /** ISO start time of the run (test.json startedAt, or the directory's time when test.json is missing). */
  startedAt: string;
  /** Seconds from time zero to the last history record. */
  durationS: number;
  /** True when something was missing or cut short (see problems). */
  partial: boolean;
  problems: string[];
  system: string | null;
  lab: string | null;
  nodes: string[];
  seed: number | null;
  settings: RaftSettings | null;
  workload: string | null;
  model: string | null;
  nemesis: Json;
  concurrency: number | null;
  rate: number | null;
  versions: Record<string, string>;
  /** Command line to reproduce the run. */
  command: string[];
}

export interface CheckerSummary {
  valid: Verdict;
  model: string | null;
  /** What was checked when it is not linearizability: "strict-serializable", "set-full", "watch guarantees". */
  property?: string;
  /** Why the verdict is unknown, or what failed. */
  message: string;
  /** Keys whose history is not linearizable. */
  failingKeys: string[];
  partitions: number;
  ms: number;
}

export interface OpCounts {
  /** Client invocations. */
  total: number;
  ok: number;
  fail: number;
  /** Indeterminate: completed info, or never completed before the run ended. */
  info: number;
  /** Invocations with no completion in the history. */
  pending: number;
  /** f → outcome → count. */
  byOp: Record<string, Record<string, number>>;
}

export interface FaultFigures extends FaultWindow, WindowFigures, FaultImpact {
  /** A harness stall overlaps the window: timings inside are suspect. */
  suspect: boolean;
}

export interface BenchLevel {
  endpoint: string;
  /** leader or follower, when known. */
  role: string;
  connections: number;
  durationS: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  /** Requests per second over the whole level. */
  rps: number;
  /** ms: etcd benchmark's Summary (Slowest, Fastest, Average, Stddev) and its latency distribution. */
  summary: { totalS: number; slowest: number; fastest: number; average: number; stddev: number };
  percentiles: Record<'p10' | 'p25' | 'p50' | 'p75' | 'p90' | 'p95' | 'p99' | 'p999', number>;
  /** Response time histogram: upper bound ms → count. */
  histogram: { ms: number; count: number }[];
  /** Completed requests in each second. */
  perSecond: number[];
}

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  valid: Verdict;
  run: RunSummary;
  checker: CheckerSummary;
  ops: OpCounts;
  latency: LatencyFigures;
  throughput: { okPerS: number; peakOkPerS: number };
  availability: { thresholdS: number; windows: Unavailability[]; longestS: number; totalS: number };
  faults: FaultFigures[];
  raft: RaftHealth;
  alerts: Alert[];
  stalls: Stall[];
  /** Nodes that exited on their own during the run (events.jsonl `crash`): a finding about the store. */
  crashes: NodeCrashFigure[];
  /**
   * Register and kv runs with final reads: keys whose nodes agree at the end, keys they disagree on, and the
   * acknowledged writes that agreed final value rules out (durability, apart from the verdict). Null otherwise.
   */
  durability?: DurabilityFigures | null;
  /** Faults the schedule could draw, those available here, those that ran (count) and those skipped (why). */
  faultCoverage: { of: string[]; available: string[]; ran: Record<string, number>; skipped: { name: string; reason: string }[] } | null;
  series: Series;
  /** Each clock-faulted node's offset from real time (breakpoints of a piecewise-linear line); [] without clock faults. */
  clocks?: ClockPoint[];
  /** faultline bench only. */
  bench?: BenchLevel[];
}

/** The handful of figures shown in the index and the report's key figures. */
export interface KeyFigures {
  ops: number;
  okPerS: number;
  p99Ms: number | null;
  longestUnavailableS: number;
  leaderChanges: number;
  alerts: number;
}

export function keyFigures(r: ResultsFile): KeyFigures {
  const p: Percentiles | null = r.latency.ok;
  return {
    ops: r.ops.total,
    okPerS: r.throughput.okPerS,
    p99Ms: p ? p.p99 : null,
    longestUnavailableS: r.availability.longestS,
    leaderChanges: r.raft.leaderChanges,
    alerts: r.alerts.length,
  };
}
