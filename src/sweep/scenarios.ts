// The fixed set of short runs that measure one cell: a calm run and one run per fault, or one run in --quick.
import type { Json } from '../history/op.js';

export type ScenarioKind = 'calm' | 'kill' | 'isolate' | 'gray' | 'loss' | 'quick' | 'extra';

export interface Scenario {
  /** Unique within a sweep; part of the run's test name (<cell>-<name>). */
  name: string;
  kind: ScenarioKind;
  /** The spec's nemesis: "none", an inline schedule, or (extra) what the user passed to --nemesis. */
  nemesis: Json;
  timeLimitS: number;
  warmupS: number;
  recoveryS: number;
}

export interface ScenarioOptions {
  /** Seconds of load per run. */
  timeLimitS: number;
  quick: boolean;
  /** Extra nemesis names or schedules to run per cell (--nemesis). */
  extra: string[];
}

/** The fault at the centre of each fault scenario, with the nemesis options that make it that fault. */
const FAULTS: Record<'kill' | 'isolate' | 'gray' | 'loss', { fault: string; options?: Record<string, Json> }> = {
  kill: { fault: 'kill', options: { target: 'leader' } },
  isolate: { fault: 'partition-leader' },
  gray: { fault: 'partition-gray' },
  loss: { fault: 'loss', options: { p: 0.2, target: 'all' } },
};

const WARMUP_S = 2;
const RECOVERY_S = 2;
/** Calm at the start of the fault phase, so the fault hits a settled cluster with a known leader. */
const LEAD_IN_S = 1;

/** One fault, once: held for the rest of the fault phase (less a second), so the heal is recorded before it ends. */
function once(fault: string, holdS: number, options?: Record<string, Json>): Json {
  return { faults: [fault], mode: 'once', interval: LEAD_IN_S, duration: holdS, ...(options ? { options: { [fault]: options } } : {}) };
}

export function holdSeconds(timeLimitS: number): number {
  return Math.max(2, timeLimitS - WARMUP_S - RECOVERY_S - LEAD_IN_S - 1);
}

export function scenarios(o: ScenarioOptions): Scenario[] {
  const base = { timeLimitS: o.timeLimitS, warmupS: WARMUP_S, recoveryS: RECOVERY_S };
  const hold = holdSeconds(o.timeLimitS);
  const extra = o.extra.map((n, i): Scenario => ({ ...base, name: `extra${i + 1}`, kind: 'extra', nemesis: n }));
  if (o.quick) {
    // One run: the leader is killed once; calm latency and spurious elections come from outside the fault.
    return [{ ...base, name: 'quick', kind: 'quick', nemesis: once(FAULTS.kill.fault, hold, FAULTS.kill.options) }, ...extra];
  }
  const fault = (kind: keyof typeof FAULTS): Scenario => ({ ...base, name: kind, kind, nemesis: once(FAULTS[kind].fault, hold, FAULTS[kind].options) });
  return [{ ...base, name: 'calm', kind: 'calm', nemesis: 'none' }, fault('kill'), fault('isolate'), fault('gray'), fault('loss'), ...extra];
}
