// Availability: windows with no successful write, time from a fault to the first error, recovery after heal.
import { isWrite, type Call } from './calls.js';
import type { FaultWindow } from './windows.js';

const NS = 1e9;

export interface Unavailability {
  /** Last successful write before the gap (or the first client op), seconds since the test began. */
  fromS: number;
  /** Next successful write (or the last client op). */
  toS: number;
  durationS: number;
  /** The window overlaps a harness stall: the gap may be ours, not the store's. */
  suspect: boolean;
}

export interface FaultImpact {
  /** Seconds from the fault's start to the first fail/info completion after it; null when none came. */
  firstErrorS: number | null;
  /** Node → seconds from the heal to its first ok write completing after it; null = never recovered in the run. */
  recoveryByNodeS: Record<string, number | null>;
  /** Slowest node's recovery (every node serving writes again); null if any node never recovered. */
  recoveryAllS: number | null;
}

/** Gaps longer than thresholdS between successful write completions, bounded by the first and last client op. */
export function unavailability(calls: readonly Call[], thresholdS = 1): Omit<Unavailability, 'suspect'>[] {
  if (calls.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  const okWrites: number[] = [];
  for (const c of calls) {
    first = Math.min(first, c.invoke);
    last = Math.max(last, c.complete ?? c.invoke);
    if (c.outcome === 'ok' && c.complete !== undefined && isWrite(c.f)) okWrites.push(c.complete);
  }
  okWrites.sort((a, b) => a - b);
  const marks = [first, ...okWrites, last];
  const out: Omit<Unavailability, 'suspect'>[] = [];
  for (let i = 1; i < marks.length; i++) {
    const gap = (marks[i]! - marks[i - 1]!) / NS;
    if (gap > thresholdS) {
      out.push({ fromS: marks[i - 1]! / NS, toS: marks[i]! / NS, durationS: Math.round(gap * 1e6) / 1e6 });
    }
  }
  return out;
}

export function faultImpact(calls: readonly Call[], w: FaultWindow, nodes: readonly string[]): FaultImpact {
  const startNs = w.startS * NS;
  const healNs = w.endS * NS;
  let firstError = Infinity;
  const firstOk = new Map<string, number>();
  for (const c of calls) {
    if (c.complete === undefined) continue;
    if (c.outcome !== 'ok' && c.complete >= startNs) firstError = Math.min(firstError, c.complete);
    if (!w.open && c.outcome === 'ok' && isWrite(c.f) && c.node !== undefined && c.complete >= healNs) {
      firstOk.set(c.node, Math.min(firstOk.get(c.node) ?? Infinity, c.complete));
    }
  }
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  const recoveryByNodeS: Record<string, number | null> = {};
  const targets = nodes.length ? nodes : [...firstOk.keys()].sort();
  for (const n of targets) {
    const t = firstOk.get(n);
    recoveryByNodeS[n] = w.open || t === undefined ? null : round((t - healNs) / NS);
  }
  const vals = Object.values(recoveryByNodeS);
  return {
    firstErrorS: firstError === Infinity ? null : round((firstError - startNs) / NS),
    recoveryByNodeS,
    recoveryAllS: vals.length === 0 || vals.some((v) => v === null) ? null : Math.max(...(vals as number[])),
  };
}
