// Fault windows from the nemesis ops of a history: one start-X … stop-X each, in nanoseconds since time zero.
import { NEMESIS, type Json, type Op } from './op.js';

/** One start-X … stop-X of the nemesis, with when each began and was done (ns since time zero). */
export interface FaultEvent {
  fault: string;
  /** First record of start-X: the fault may act from here. */
  start: number;
  /** Last record of start-X (its completion): the fault is surely in effect. */
  started: number;
  /** What the nemesis said it did (targets, grudge): the last non-null value of start-X, else null. */
  startValue: Json;
  /** First record of stop-X: the heal begins; null when never stopped (a killed run, a fault left in place). */
  stop: number | null;
  /** Last record of stop-X: the heal is done. */
  stopped: number | null;
  stopValue: Json;
  /** The first `error` a start or stop record carried in its value. */
  error: string | null;
}

const errorOf = (v: Json): string | null => (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v['error'] === 'string' ? v['error'] : null);

/**
 * A nemesis action may be recorded once or as invocation + completion (ours as invoke then info, Jepsen's as
 * two infos), so the records are read by what they say, not by their type: a start-X while X is starting is
 * the same start completing, the first stop-X begins the heal and the last one before the next start ends it.
 */
export function faultEvents(history: readonly Op[]): FaultEvent[] {
  const out: FaultEvent[] = [];
  const current = new Map<string, { e: FaultEvent; stopping: boolean }>();
  for (const op of history) {
    if (op.process !== NEMESIS) continue;
    const m = /^(start|stop)-(.+)$/.exec(op.f);
    if (!m) continue;
    const fault = m[2]!;
    const value = (op.value ?? null) as Json;
    const cur = current.get(fault);
    if (m[1] === 'start') {
      if (cur && !cur.stopping) {
        cur.e.started = op.time;
        if (value !== null) cur.e.startValue = value;
        cur.e.error ??= errorOf(value);
        continue;
      }
      const e: FaultEvent = { fault, start: op.time, started: op.time, startValue: value, stop: null, stopped: null, stopValue: null, error: errorOf(value) };
      current.set(fault, { e, stopping: false });
      out.push(e);
    } else if (cur) {
      if (!cur.stopping) cur.e.stop = op.time;
      cur.stopping = true;
      cur.e.stopped = op.time;
      if (value !== null) cur.e.stopValue = value;
      cur.e.error ??= errorOf(value);
    }
  }
  return out;
}
