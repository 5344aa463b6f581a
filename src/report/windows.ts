// Fault windows from the history's nemesis ops, harness stalls from events.jsonl, and before/during/after figures.
import { faultEvents } from '../history/faults.js';
import type { Json, Op } from '../history/op.js';
import type { RunEvent } from '../results/layout.js';
import { latencyNs, type Call } from './calls.js';

const NS = 1e9;

export interface FaultWindow {
  /** Fault name: start-partition … stop-partition gives "partition". */
  fault: string;
  /** Seconds since the test began: first record of start-X (the fault may act from here on). */
  startS: number;
  /** Last record of stop-X (the heal is done); the history's end when the fault was never stopped. */
  endS: number;
  /** True when no stop-X was recorded (killed run, or a fault left in place). */
  open: boolean;
  /** The nemesis' description of what it did (targets, grudge), from start-X. */
  value?: Json;
}

export interface Stall {
  startS: number;
  endS: number;
  ms: number;
}

export interface PhaseFigures {
  fromS: number;
  toS: number;
  /** ok ops completed per second. */
  okPerS: number;
  fail: number;
  info: number;
  /** p99 of ok ops invoked in the phase, ms; null with no ok op. */
  p99Ms: number | null;
}

export interface WindowFigures {
  before: PhaseFigures;
  during: PhaseFigures;
  after: PhaseFigures;
}

/** The history's fault windows in seconds (src/history/faults.ts reads them), open ones ending at `endNs`. */
export function faultWindows(history: readonly Op[], endNs: number): FaultWindow[] {
  return faultEvents(history).map((e) => ({
    fault: e.fault,
    startS: e.start / NS,
    endS: (e.stopped ?? endNs) / NS,
    open: e.stop === null,
    ...(e.startValue !== null ? { value: e.startValue } : {}),
  }));
}

export function stalls(events: readonly RunEvent[]): Stall[] {
  return events
    .filter((e): e is Extract<RunEvent, { type: 'stall' }> => e.type === 'stall')
    .map((e) => ({ startS: e.time / NS - e.ms / 1000, endS: e.time / NS, ms: e.ms }));
}

export function overlapsStall(fromS: number, toS: number, st: readonly Stall[]): boolean {
  return st.some((s) => s.startS < toS && s.endS > fromS);
}

function phase(calls: readonly Call[], fromS: number, toS: number): PhaseFigures {
  let ok = 0;
  let fail = 0;
  let info = 0;
  const lat: number[] = [];
  for (const c of calls) {
    if (c.complete !== undefined) {
      const t = c.complete / NS;
      if (t >= fromS && t < toS) {
        if (c.outcome === 'ok') ok++;
        else if (c.outcome === 'fail') fail++;
        else info++;
      }
    }
    const ti = (c.intended ?? c.invoke) / NS;
    if (c.outcome === 'ok' && ti >= fromS && ti < toS) lat.push(latencyNs(c)! / 1e6);
  }
  lat.sort((a, b) => a - b);
  const dur = toS - fromS;
  return {
    fromS,
    toS,
    okPerS: dur > 0 ? Math.round((ok / dur) * 10) / 10 : 0,
    fail,
    info,
    p99Ms: lat.length ? Math.round(lat[Math.ceil(0.99 * lat.length) - 1]! * 1000) / 1000 : null,
  };
}

/**
 * etcd robustness style: before = from the previous fault's end (or the start) to this start; during = the
 * window; after = to the next fault's start (or the end). Windows of one fault are taken in time order.
 */
export function windowFigures(calls: readonly Call[], windows: readonly FaultWindow[], endS: number): WindowFigures[] {
  const sorted = [...windows].sort((a, b) => a.startS - b.startS);
  return windows.map((w) => {
    const i = sorted.indexOf(w);
    const prevEnd = i > 0 ? Math.min(w.startS, Math.max(...sorted.slice(0, i).map((x) => x.endS))) : 0;
    const nextStart = i + 1 < sorted.length ? Math.max(w.endS, sorted[i + 1]!.startS) : endS;
    return { before: phase(calls, prevEnd, w.startS), during: phase(calls, w.startS, w.endS), after: phase(calls, w.endS, nextStart) };
  });
}
