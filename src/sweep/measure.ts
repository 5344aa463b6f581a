// Per-cell figures from a cell's runs: time to a new leader, write unavailability, calm latency, elections.
import type { Verdict } from '../report/results.js';
import { quantile } from '../util/percentile.js';
import type { ScenarioKind } from './scenarios.js';

/** What one analysed run contributes, reduced to plain data (built from results.json, history and logs). */
export interface RunFacts {
  scenario: string;
  kind: ScenarioKind;
  valid: Verdict;
  /** Fault windows, seconds since the test began. */
  windows: { fault: string; startS: number; endS: number }[];
  /** Successful writes: invocation and completion, seconds. */
  okWrites: { invokeS: number; completeS: number }[];
  /** Election events of every node from the logs, seconds. */
  events: { timeS: number; node: string; term: number; event: string }[];
  /** From results.json: the run as a whole. */
  leaderChanges: number;
  termGrowth: number;
  longestUnavailableS: number;
}

export interface CellMetrics {
  /** Leader SIGKILLed → a new leader elected (s). */
  electionS: number | null;
  /** Leader isolated → longest stretch with no successful write during the fault (s). */
  unavailableS: number | null;
  /** Leader isolated → a new leader elected (s). */
  isolateElectionS: number | null;
  /** Commit (ok write) latency without faults, ms. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Leader elections with no fault at all (after the first leader). */
  spuriousElections: number | null;
  grayLeaderChanges: number | null;
  grayTermGrowth: number | null;
  lossLeaderChanges: number | null;
  lossTermGrowth: number | null;
  /** Per extra --nemesis scenario: whole-run figures. */
  extra: Record<string, { leaderChanges: number; termGrowth: number; longestUnavailableS: number }>;
}

export const METRIC_KEYS = ['electionS', 'unavailableS', 'isolateElectionS', 'p50Ms', 'p99Ms', 'spuriousElections', 'grayLeaderChanges', 'grayTermGrowth', 'lossLeaderChanges', 'lossTermGrowth'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** Elections caused by a heal (a returning node with a higher term) belong to the fault: count them too. */
export const SETTLE_S = 2;

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

function termBefore(events: RunFacts['events'], t: number): number {
  let m = 0;
  for (const e of events) if (e.timeS < t) m = Math.max(m, e.term);
  return m;
}

/** Leaders elected in [from, to] for terms above `above`: one per term (every node logs its own view). */
function leadersIn(events: RunFacts['events'], from: number, to: number, above: number): { term: number; timeS: number }[] {
  const first = new Map<number, number>();
  for (const e of events) {
    if (e.event !== 'leader' || e.term <= above || e.timeS < from || e.timeS > to) continue;
    first.set(e.term, Math.min(first.get(e.term) ?? Infinity, e.timeS));
  }
  return [...first].map(([term, timeS]) => ({ term, timeS })).sort((a, b) => a.timeS - b.timeS);
}

export interface WindowFigures {
  leaderChanges: number;
  termGrowth: number;
  /** Time from the fault's start to the first new leader; null when none came before the heal. */
  newLeaderS: number | null;
}

export function windowFigures(f: RunFacts, w: { startS: number; endS: number }): WindowFigures {
  const before = termBefore(f.events, w.startS);
  const to = w.endS + SETTLE_S;
  let top = before;
  for (const e of f.events) if (e.timeS >= w.startS && e.timeS <= to) top = Math.max(top, e.term);
  const leaders = leadersIn(f.events, w.startS, to, before);
  const firstBeforeHeal = leaders.find((l) => l.timeS <= w.endS);
  return { leaderChanges: leaders.length, termGrowth: top - before, newLeaderS: firstBeforeHeal ? round(firstBeforeHeal.timeS - w.startS) : null };
}

/** Longest stretch without a completed ok write, from the fault's start until the heal (+settle). */
export function longestWriteGapS(f: RunFacts, w: { startS: number; endS: number }): number {
  const to = w.endS + SETTLE_S;
  const marks = [w.startS, ...f.okWrites.map((c) => c.completeS).filter((t) => t > w.startS && t <= to).sort((a, b) => a - b)];
  if (marks.length === 1) return round(to - w.startS);
  let gap = 0;
  for (let i = 1; i < marks.length; i++) if (marks[i - 1]! < w.endS) gap = Math.max(gap, marks[i]! - marks[i - 1]!);
  return round(gap);
}

const inAnyWindow = (t: number, ws: RunFacts['windows']): boolean => ws.some((w) => t >= w.startS && t <= w.endS + SETTLE_S);

/** Calm figures: the calm run whole, or a fault run outside its fault windows (quick mode). */
function calmFigures(f: RunFacts): { p50Ms: number | null; p99Ms: number | null; spurious: number } {
  const lat = f.okWrites.filter((c) => !inAnyWindow(c.invokeS, f.windows) && !inAnyWindow(c.completeS, f.windows)).map((c) => (c.completeS - c.invokeS) * 1000);
  const p50 = quantile(lat, 0.5);
  const p99 = quantile(lat, 0.99);
  // The first leader forms the cluster; every later one outside a fault is spurious.
  const leaders = leadersIn(f.events, -Infinity, Infinity, 0);
  const spurious = leaders.slice(1).filter((l) => !inAnyWindow(l.timeS, f.windows)).length;
  return { p50Ms: p50 === null ? null : round(p50), p99Ms: p99 === null ? null : round(p99), spurious };
}

/** One repetition of a cell: every run of that repetition, by scenario. */
export function measureRepetition(runs: readonly RunFacts[]): CellMetrics {
  const m: CellMetrics = { electionS: null, unavailableS: null, isolateElectionS: null, p50Ms: null, p99Ms: null, spuriousElections: null, grayLeaderChanges: null, grayTermGrowth: null, lossLeaderChanges: null, lossTermGrowth: null, extra: {} };
  const first = (f: RunFacts, fault: string): RunFacts['windows'][number] | undefined => f.windows.find((w) => w.fault === fault);
  for (const f of runs) {
    switch (f.kind) {
      case 'calm': {
        const c = calmFigures(f);
        m.p50Ms = c.p50Ms;
        m.p99Ms = c.p99Ms;
        m.spuriousElections = c.spurious;
        break;
      }
      case 'quick':
      case 'kill': {
        const w = first(f, 'kill');
        if (w) m.electionS = windowFigures(f, w).newLeaderS;
        if (f.kind === 'quick') {
          const c = calmFigures(f);
          m.p50Ms = c.p50Ms;
          m.p99Ms = c.p99Ms;
          m.spuriousElections = c.spurious;
        }
        break;
      }
      case 'isolate': {
        const w = first(f, 'partition-leader');
        if (w) {
          m.unavailableS = longestWriteGapS(f, w);
          m.isolateElectionS = windowFigures(f, w).newLeaderS;
        }
        break;
      }
      case 'gray':
      case 'loss': {
        const w = first(f, f.kind === 'gray' ? 'partition-gray' : 'loss');
        if (!w) break;
        const wf = windowFigures(f, w);
        if (f.kind === 'gray') {
          m.grayLeaderChanges = wf.leaderChanges;
          m.grayTermGrowth = wf.termGrowth;
        } else {
          m.lossLeaderChanges = wf.leaderChanges;
          m.lossTermGrowth = wf.termGrowth;
        }
        break;
      }
      case 'extra':
        m.extra[f.scenario] = { leaderChanges: f.leaderChanges, termGrowth: f.termGrowth, longestUnavailableS: f.longestUnavailableS };
        break;
    }
  }
  return m;
}

function median(xs: readonly number[]): number | null {
  const m = quantile(xs, 0.5);
  return m === null ? null : round(m);
}

/** Repetitions → one figure per metric: the median of the repetitions that measured it. */
export function combineRepetitions(reps: readonly CellMetrics[]): CellMetrics {
  const out = { extra: {} } as CellMetrics;
  for (const k of METRIC_KEYS) out[k] = median(reps.map((r) => r[k]).filter((v): v is number => v !== null));
  const names = [...new Set(reps.flatMap((r) => Object.keys(r.extra)))];
  for (const n of names) {
    const xs = reps.map((r) => r.extra[n]).filter((x) => x !== undefined);
    out.extra[n] = {
      leaderChanges: median(xs.map((x) => x.leaderChanges)) ?? 0,
      termGrowth: median(xs.map((x) => x.termGrowth)) ?? 0,
      longestUnavailableS: median(xs.map((x) => x.longestUnavailableS)) ?? 0,
    };
  }
  return out;
}

export function combineVerdicts(vs: readonly Verdict[]): Verdict {
  if (vs.includes(false)) return false;
  return vs.length > 0 && vs.every((v) => v === true) ? true : 'unknown';
}
