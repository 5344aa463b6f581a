// Runs one trial run of a scenario variant through the normal run engine (runTest + analyzeRun) and loads what it recorded.
import { analyzeRun } from '../report/analyze-run.js';
import { pairCalls, type Call } from '../report/calls.js';
import { loadRun } from '../report/load-run.js';
import { electionsFromLogs } from '../report/log-elections.js';
import type { ResultsFile } from '../report/results.js';
import { stalls as stallsOf, type Stall } from '../report/windows.js';
import { runTest, type RunSummary } from '../run/runner.js';
import type { ElectionEvent, MetricsSample } from '../system/system.js';
import type { TestSpec } from '../spec/spec.js';
import { readFileSync } from 'node:fs';
import { faultEvents, type FaultEvent } from '../history/faults.js';
import type { Form, ScenarioPreset, Variant } from './types.js';

/** Everything a measurement module reads of one run. */
export interface TrialRun {
  variant: Variant;
  runDir: string;
  summary: RunSummary;
  results: ResultsFile;
  calls: Call[];
  elections: ElectionEvent[];
  faults: FaultEvent[];
  stalls: Stall[];
  /** The nodes' metrics samples (etcd's /metrics each second), for figures of one fault's window. */
  metrics: MetricsSample[];
  nodes: string[];
  settings: { heartbeatMs: number; electionMs: number; preVote: boolean };
}

/**
 * Phase lengths for a run of `f.faultsPerRun` faults: each fault gets its calm and hold, and the fault phase
 * ends 0.9 × calm after the last heal, so the last fault has an "after" window as long as the others and the
 * cycle schedule cannot fit one more start. Warm-up and recovery are clamped so planPhases never shrinks
 * them (it would hand the difference to the fault phase, where an extra fault could start).
 */
export function phaseLengths(f: Form): { warmupS: number; faultS: number; recoveryS: number; timeLimitS: number } {
  const faultS = f.faultsPerRun * (f.calmS + f.holdS) + 0.9 * f.calmS;
  let w = f.warmupS;
  let r = f.recoveryS;
  for (let i = 0; i < 3; i++) {
    w = Math.min(w, (faultS + r) / 3);
    r = Math.min(r, (faultS + w) / 3);
  }
  const round = (x: number): number => Math.floor(x * 1000) / 1000;
  return { warmupS: round(w), faultS, recoveryS: round(r), timeLimitS: round(w) + faultS + round(r) + 0.01 };
}

export function trialSpec(p: ScenarioPreset, v: Variant, f: Form): TestSpec {
  const ph = phaseLengths(f);
  const spec: TestSpec = {
    name: `${p.name}-${v.name}`,
    description: `scenario ${p.name}, variant ${v.label}: ${p.claim}`,
    system: p.cluster.system,
    lab: p.cluster.lab,
    nodes: p.cluster.nodes,
    workload: { name: p.cluster.workload, opsPerKey: 300, valueRange: 5 },
    nemesis: { faults: [v.fault], mode: 'cycle', interval: f.calmS, duration: f.holdS, options: v.options ? { [v.fault]: v.options } : {} },
    timeLimitS: ph.timeLimitS,
    warmupS: ph.warmupS,
    recoveryS: ph.recoveryS,
    concurrency: p.cluster.concurrency,
    timeoutMs: p.cluster.timeoutMs,
    serializableReads: false,
    raft: {
      heartbeatMs: v.raft?.heartbeatMs ?? p.cluster.heartbeatMs,
      electionMs: v.raft?.electionMs ?? p.cluster.electionMs,
      preVote: v.raft?.preVote ?? p.cluster.preVote,
    },
  };
  if (p.cluster.rate !== undefined) spec.rate = p.cluster.rate;
  const options = { ...p.cluster.systemOptions, ...v.systemOptions };
  if (Object.keys(options).length > 0) spec.systemOptions = options;
  return spec;
}

export interface TrialOptions {
  resultsDir: string;
  command: string[];
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
  binPath?: string;
}

export async function runTrial(p: ScenarioPreset, v: Variant, f: Form, o: TrialOptions): Promise<TrialRun> {
  const spec = trialSpec(p, v, f);
  const summary = await runTest({ spec, resultsDir: o.resultsDir, command: o.command, progress: o.progress, ...(o.signal ? { signal: o.signal } : {}), ...(o.binPath ? { binPath: o.binPath } : {}) });
  const analysis = await analyzeRun(summary.runDir, { timeoutS: 60 });
  const results = JSON.parse(readFileSync(analysis.resultsPath, 'utf8')) as ResultsFile;
  const run = loadRun(summary.runDir);
  return {
    variant: v,
    runDir: summary.runDir,
    summary,
    results,
    calls: pairCalls(run.history),
    elections: electionsFromLogs(run.logs, run.test?.t0EpochMs ?? 0, run.system),
    faults: faultEvents(run.history),
    stalls: stallsOf(run.events),
    metrics: run.metrics,
    nodes: run.test?.nodes ?? [],
    settings: spec.raft,
  };
}
