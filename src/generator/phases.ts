// The phases of a run: warm-up → faults → heal → recovery → final reads, and how long each lasts.

export type PhaseName = 'warm-up' | 'faults' | 'heal' | 'recovery' | 'final-reads' | 'done';

export interface Phase {
  name: PhaseName;
  /** Seconds of load in this phase; heal and final-reads last as long as they take (0 here). */
  durationS: number;
}

export interface PhaseOptions {
  /** Seconds of load in total: warm-up + faults + recovery. */
  timeLimitS: number;
  warmupS: number;
  recoveryS: number;
}

/**
 * The time limit covers all load. Warm-up and recovery are taken from it first but shrink (to at most a
 * quarter each) when the limit is short, so the fault phase always gets at least half of the time.
 */
export function planPhases(o: PhaseOptions): Phase[] {
  const warmup = Math.min(o.warmupS, o.timeLimitS / 4);
  const recovery = Math.min(o.recoveryS, o.timeLimitS / 4);
  const faults = Math.max(0, o.timeLimitS - warmup - recovery);
  return [
    { name: 'warm-up', durationS: warmup },
    { name: 'faults', durationS: faults },
    { name: 'heal', durationS: 0 },
    { name: 'recovery', durationS: recovery },
    { name: 'final-reads', durationS: 0 },
  ];
}
