// Measurements shared by the scenarios: write gaps, elections and terms in a window (fault events: src/history/faults.ts).
import type { Json } from '../history/op.js';
import { isWrite, type Call } from '../report/calls.js';
import type { Stall } from '../report/windows.js';
import type { ElectionEvent } from '../system/system.js';

const NS = 1e9;

/** Completion times (ns) of ok writes, optionally only those sent to `nodes`, sorted. */
export function okWriteTimes(calls: readonly Call[], nodes?: ReadonlySet<string>): number[] {
  const t: number[] = [];
  for (const c of calls) {
    if (c.outcome !== 'ok' || c.complete === undefined || !isWrite(c.f)) continue;
    if (nodes && (c.node === undefined || !nodes.has(c.node))) continue;
    t.push(c.complete);
  }
  return t.sort((a, b) => a - b);
}

/**
 * Longest stretch (s) inside [from, to] with no ok write completing. With `fromLastBefore`, the stretch that
 * contains `from` is measured from the last ok write before it (what a client saw when the fault struck).
 * A stretch still open at `to` is cut there: the figure is then a lower bound.
 */
export function longestWriteGap(okTimes: readonly number[], from: number, to: number, fromLastBefore = false): number {
  let prev = from;
  if (fromLastBefore) {
    for (const t of okTimes) {
      if (t >= from) break;
      prev = t;
    }
  }
  let longest = 0;
  for (const t of okTimes) {
    if (t < from) continue;
    if (t > to) break;
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  longest = Math.max(longest, to - prev);
  return Math.round((longest / NS) * 1e4) / 1e4;
}

/** Distinct leader elections (a new term with a leader) whose leader event falls in [from, to]. */
export function leadersIn(events: readonly ElectionEvent[], from: number, to: number): ElectionEvent[] {
  const seen = new Set<number>();
  const out: ElectionEvent[] = [];
  for (const e of events) {
    if (e.event !== 'leader' || e.time < from || e.time > to || seen.has(e.term)) continue;
    seen.add(e.term);
    out.push(e);
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Highest term any node reported in a log line at or before `t` (null: none yet). */
export function maxTermAt(events: readonly ElectionEvent[], t: number): number | null {
  let m: number | null = null;
  for (const e of events) if (e.time <= t && (m === null || e.term > m)) m = e.term;
  return m;
}

/** Term of the leader in place at `t`: the latest leader event at or before t. */
export function leaderAt(events: readonly ElectionEvent[], t: number): { node: string; term: number } | null {
  let best: ElectionEvent | null = null;
  for (const e of events) if (e.event === 'leader' && e.time <= t && (!best || e.time >= best.time)) best = e;
  return best ? { node: best.node, term: best.term } : null;
}

/** A stall of the harness of at least `minMs` overlapping [from, to] (ns) makes timings there suspect. */
export function stalledIn(stalls: readonly Stall[], from: number, to: number, minMs = 250): boolean {
  return stalls.some((s) => s.ms >= minMs && s.endS * NS >= from && s.startS * NS <= to);
}

export const seconds = (ns: number): number => Math.round((ns / NS) * 1e4) / 1e4;

/** Names of nodes in a nemesis value's `nodes` list: plain names (kill, pause) or `{node, ...}` (slow-fsync). */
export function nodesOf(value: Json): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const n = value['nodes'];
  if (!Array.isArray(n)) return [];
  return n.flatMap((x) => (typeof x === 'string' ? [x] : x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x['node'] === 'string' ? [x['node']] : []));
}
