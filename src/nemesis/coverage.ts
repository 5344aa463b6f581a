// Fault coverage of a run: which faults the schedule could draw, which ran, which were skipped here and why.

/** A fault left out, with the reason the lab or the system gave. */
export interface Skipped {
  name: string;
  reason: string;
}

/** Which faults a run could draw, which ran (with counts), and which were skipped here and why. */
export interface FaultCoverage {
  /** Every fault of the schedule before expansion (all of `all`). */
  of: string[];
  available: string[];
  skipped: Skipped[];
  ran: Record<string, number>;
}

/** Skipped faults grouped by their reason (the four clock faults of one system share one). */
export function skippedByReason(skipped: readonly Skipped[]): { names: string[]; reason: string }[] {
  const out = new Map<string, string[]>();
  for (const s of skipped) out.set(s.reason, [...(out.get(s.reason) ?? []), s.name]);
  return [...out].map(([reason, names]) => ({ names, reason }));
}

