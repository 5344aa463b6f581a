// Computes every figure of results.json from a loaded run and the checker's summary.
import { basename } from 'node:path';
import { faultImpact, unavailability } from './availability.js';
import { pairCalls, type Call } from './calls.js';
import { clockSeries } from './clock-plot.js';
import { lostWrites } from './durability.js';
import { latencyFigures } from './latency.js';
import type { RunData } from './load-run.js';
import { electionsFromLogs } from './log-elections.js';
import { alerts, raftHealth } from './raft-health.js';
import { RESULTS_SCHEMA, type CheckerSummary, type OpCounts, type ResultsFile, type RunSummary } from './results.js';
import { buildSeries } from './series.js';
import { faultWindows, overlapsStall, stalls, windowFigures } from './windows.js';

export interface MeasureOptions {
  /** No successful write for longer than this (seconds) is an unavailability window. Default 1. */
  unavailableS?: number;
  scatterCap?: number;
}

function counts(calls: readonly Call[]): OpCounts {
  const byOp: Record<string, Record<string, number>> = {};
  const c: OpCounts = { total: calls.length, ok: 0, fail: 0, info: 0, pending: 0, byOp };
  for (const x of calls) {
    c[x.outcome]++;
    if (x.complete === undefined) c.pending++;
    const m = (byOp[x.f] ??= {});
    m[x.outcome] = (m[x.outcome] ?? 0) + 1;
  }
  return c;
}

/** "20261123T214001-abc123" → ISO, for runs whose test.json is missing. */
function startFromDirName(dir: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(basename(dir));
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : new Date(0).toISOString();
}

function runSummary(run: RunData, durationS: number): RunSummary {
  const t = run.test;
  const dirName = basename(run.dir);
  return {
    name: t?.name ?? basename(run.dir.replace(/\/[^/]*\/?$/, '')),
    runId: t?.runId ?? dirName.split('-').pop() ?? dirName,
    startedAt: t?.startedAt ?? startFromDirName(run.dir),
    durationS,
    partial: run.problems.length > 0,
    problems: run.problems,
    system: t?.system ?? null,
    lab: t?.lab ?? null,
    nodes: t?.nodes ?? Object.keys(run.logs),
    seed: t?.seed ?? null,
    settings: t?.settings ?? null,
    workload: t?.workload ?? null,
    model: t?.model ?? null,
    nemesis: t?.nemesis ?? null,
    concurrency: t?.concurrency ?? null,
    rate: t?.rate ?? null,
    versions: t?.versions ?? {},
    command: t?.command ?? [],
  };
}

/** From the `coverage` event and the history's fault starts (a start that failed did not run). */
function coverageOf(run: RunData): ResultsFile['faultCoverage'] {
  const e = run.events.find((x) => x.type === 'coverage');
  if (!e || e.type !== 'coverage') return null;
  const ran: Record<string, number> = {};
  for (const op of run.history) {
    if (op.process !== 'nemesis' || op.type !== 'info' || !op.f.startsWith('start-')) continue;
    const v = op.value;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'error' in v) continue;
    const f = op.f.slice('start-'.length);
    ran[f] = (ran[f] ?? 0) + 1;
  }
  return { of: e.of, available: e.available, ran, skipped: e.skipped };
}

export function measure(run: RunData, checker: CheckerSummary, options: MeasureOptions = {}): { results: ResultsFile; calls: Call[] } {
  const thresholdS = options.unavailableS ?? 1;
  const calls = pairCalls(run.history);
  const endNs = run.history.reduce((m, op) => Math.max(m, op.time), 0);
  const durationS = endNs / 1e9;
  const st = stalls(run.events);
  const series = buildSeries(calls, endNs, options.scatterCap);
  const okPerS = durationS > 0 ? Math.round((calls.filter((c) => c.outcome === 'ok').length / durationS) * 10) / 10 : 0;
  const peakOkPerS = Math.max(0, ...series.throughput.map((p) => p.ok));
  const windows = unavailability(calls, thresholdS).map((w) => ({ ...w, suspect: overlapsStall(w.fromS, w.toS, st) }));
  const faults = faultWindows(run.history, endNs);
  const figures = windowFigures(calls, faults, durationS);
  const clientNodes = [...new Set(calls.map((c) => c.node).filter((n): n is string => n !== undefined))].sort();
  const faultFigures = faults.map((w, i) => ({
    ...w,
    ...figures[i]!,
    ...faultImpact(calls, w, clientNodes),
    suspect: overlapsStall(figures[i]!.before.fromS, figures[i]!.after.toS, st),
  }));
  const events = electionsFromLogs(run.logs, run.test?.t0EpochMs ?? 0, run.system);
  const raft = raftHealth(events, run.metrics, durationS, st, Object.keys(run.logs).length > 0 && run.test !== undefined);
  if (run.system && !run.system.capabilities.has('metrics') && run.system.metricsNote) raft.metricsNote = run.system.metricsNote;
  const results: ResultsFile = {
    schema: RESULTS_SCHEMA,
    valid: checker.valid,
    run: runSummary(run, Math.round(durationS * 1e6) / 1e6),
    checker,
    ops: counts(calls),
    latency: latencyFigures(calls),
    throughput: { okPerS, peakOkPerS },
    availability: {
      thresholdS,
      windows,
      longestS: Math.max(0, ...windows.map((w) => w.durationS)),
      totalS: Math.round(windows.reduce((s, w) => s + w.durationS, 0) * 1e6) / 1e6,
    },
    faults: faultFigures,
    raft,
    alerts: alerts(raft),
    stalls: st,
    durability: lostWrites(calls, run.events.find((e) => e.type === 'phase' && e.phase === 'final-reads')?.time, run.test?.initial ?? null),
    faultCoverage: coverageOf(run),
    crashes: run.events.flatMap((e) => (e.type === 'crash' ? [{ node: e.node, atS: Math.round(e.time / 1e6) / 1e3, exit: e.exit, log: e.log }] : [])),
    series,
    clocks: clockSeries(run.history, endNs),
  };
  return { results, calls };
}
