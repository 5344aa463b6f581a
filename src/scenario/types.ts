// The scenario catalogue's data: a preset (scenarios/*.json), per-trial figures, and scenario.json's shape.
import type { Json } from '../history/op.js';

export type ScenarioVerdict = 'holds' | 'does not hold' | 'inconclusive';
export type FormName = 'short' | 'full';

/** How much of a scenario to run: runs per variant × faults per run = trials per variant. */
export interface Form {
  runs: number;
  faultsPerRun: number;
  /** Seconds of calm before each fault (also the measurement horizon after a heal). */
  calmS: number;
  /** Seconds each fault holds. */
  holdS: number;
  warmupS: number;
  recoveryS: number;
}

export interface RaftOverride {
  heartbeatMs?: number;
  electionMs?: number;
  preVote?: boolean;
}

/** One arm of the experiment (pre-vote on / off; transfer / crash; 10 / 50 / 100 ms fsync). */
export interface Variant {
  name: string;
  label: string;
  /** Nemesis name from src/nemesis/registry.ts, and its schedule options. */
  fault: string;
  options?: Record<string, Json>;
  raft?: RaftOverride;
  /** The system's own switches for this variant (merged over the cluster's). */
  systemOptions?: Record<string, boolean | number>;
}

export interface ClusterSettings {
  /** The store the claim is about (default etcd: the catalogue's claims were measured on it). */
  system: string;
  systemOptions?: Record<string, boolean | number>;
  nodes: number;
  lab: 'host' | 'netns';
  heartbeatMs: number;
  electionMs: number;
  preVote: boolean;
  concurrency: number;
  timeoutMs: number;
  workload: string;
  /** Global ops/s, or absent for as fast as workers go. */
  rate?: number;
}

export interface ScenarioPreset {
  name: string;
  title: string;
  /** The textbook claim, one sentence. */
  claim: string;
  /** Which measurement + verdict module judges it (src/scenario/registry.ts). */
  kind: string;
  cluster: ClusterSettings;
  variants: Variant[];
  short: Form;
  full: Form;
  /** Module-specific thresholds that turn numbers into a verdict; stated in the preset so they are visible. */
  criteria: Record<string, number>;
  /** Path of the preset file. */
  source: string;
}

/** Median and spread of one figure over trials; null fields when no trial produced the figure. */
export interface Spread {
  n: number;
  median: number | null;
  p10: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
}

/** One measured fault event (a trial) of one run. */
export interface Trial {
  variant: string;
  /** Run directory (a normal faultline run: results.json, report.html). */
  runDir: string;
  /** Index of the fault event inside its run. */
  event: number;
  /** Seconds since the run's time zero when the fault started. */
  atS: number;
  figures: Record<string, number | null>;
  /** A harness stall overlapped the measured window: its timings may be ours, not etcd's. */
  suspect: boolean;
  notes: string[];
}

export interface FigureDef {
  key: string;
  label: string;
  unit: 's' | 'ms' | 'count' | 'ops/s' | 'ratio';
}

export interface Evaluation {
  verdict: ScenarioVerdict;
  /** Sentences with the numbers that decided the verdict. */
  reasons: string[];
}

export interface ScenarioRunInfo {
  runDir: string;
  variant: string;
  valid: true | false | 'unknown';
  seed: number;
  errors: string[];
}

/** scenario.json: stable keys; bump the schema when a key changes meaning. */
export interface ScenarioResult {
  schema: 'faultline.scenario/1';
  name: string;
  title: string;
  claim: string;
  kind: string;
  form: FormName;
  formSettings: Form;
  cluster: ClusterSettings;
  variants: Variant[];
  criteria: Record<string, number>;
  startedAt: string;
  durationS: number;
  verdict: ScenarioVerdict;
  reasons: string[];
  figures: FigureDef[];
  /** variant → figure key → spread over that variant's trials. */
  spreads: Record<string, Record<string, Spread>>;
  /** The same over every trial, suspect ones included, so nothing measured is hidden. */
  spreadsAll: Record<string, Record<string, Spread>>;
  trials: Trial[];
  runs: ScenarioRunInfo[];
  /** Errors that made trials missing (a run that failed to start, ...). */
  problems: string[];
  command: string[];
}
