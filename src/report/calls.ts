// Pairs each client invocation with its completion into a call: the unit every latency and rate figure counts.
import type { Json, Op } from '../history/op.js';
import { NEMESIS } from '../history/op.js';

export type Outcome = 'ok' | 'fail' | 'info';

export interface Call {
  /** `index` of the invocation in the history: the id the checker's evidence uses. */
  id: number;
  process: number;
  f: string;
  key?: string;
  node?: string;
  /** Invocation time, ns since the test began. */
  invoke: number;
  /** When the generator meant to invoke (rate-limited runs); latency is measured from here when present. */
  intended?: number;
  /** Completion time, ns; undefined when the run ended before the op completed (counted as info). */
  complete?: number;
  outcome: Outcome;
  /** Invocation value for writes/cas, completion value for reads. */
  value?: Json;
  succeeded?: boolean;
  error?: string;
}

/** Writes change state; everything except reads counts as a write for availability. */
export function isWrite(f: string): boolean {
  return !/^(read|get|range)$/.test(f);
}

/** Latency in ns from the intended start (coordinated-omission safe) or the invocation. */
export function latencyNs(c: Call): number | undefined {
  if (c.complete === undefined) return undefined;
  return c.complete - (c.intended ?? c.invoke);
}

export function pairCalls(history: readonly Op[]): Call[] {
  const open = new Map<number, Call>();
  const calls: Call[] = [];
  for (const op of history) {
    if (op.process === NEMESIS || typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const c: Call = { id: op.index, process: op.process, f: op.f, invoke: op.time, outcome: 'info' };
      if (op.key !== undefined) c.key = op.key;
      if (op.node !== undefined) c.node = op.node;
      if (op.intended !== undefined) c.intended = op.intended;
      if (op.value !== undefined) c.value = op.value;
      open.set(op.process, c);
      calls.push(c);
      continue;
    }
    const c = open.get(op.process);
    if (!c) continue; // A completion without invocation: the prefix was cut; nothing to measure.
    open.delete(op.process);
    c.complete = op.time;
    c.outcome = op.type;
    if (op.type === 'ok' && !isWrite(c.f) && op.value !== undefined) c.value = op.value;
    if (op.succeeded !== undefined) c.succeeded = op.succeeded;
    if (op.error !== undefined) c.error = op.error;
  }
  return calls;
}
