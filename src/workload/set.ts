// The set workload (Jepsen's set-full): adds of unique elements and whole-set reads, a final read on every node.
import type { Json } from '../history/op.js';
import type { FinalRead, Workload } from './workload.js';

export interface SetOptions {
  /** Unused (the registry passes every workload the register's options). */
  valueRange?: number;
}

/**
 * The one "key" the generator notes for the final reads: the set is a single object (the client keeps each
 * element in a key of its own under the prefix `set/`, see src/client/etcd-set.ts), so the final reads are
 * one whole-set read per node.
 */
export const SET_KEY = 'set';

/**
 * Recorded as set-full.ts reads it: `{"f":"add","value":5}` and `{"f":"read","value":null}` completing with
 * the set, `[1,2,5]`. Ops carry no `key` (the client tells a whole-set read from a register read by that).
 * Elements count up from 0 across all workers, as Jepsen's set-full does, so each is added exactly once
 * whatever its add's fate; the count lives in the workload, so elements are unique per run.
 */
export function setWorkload(_o: SetOptions = {}): Workload {
  let next = 0;
  return {
    name: 'set',
    model: 'set-full',
    initial: null,
    fs: ['add', 'read'],
    readF: 'read',
    // Reads return the whole set, so they grow with the run: one read per four adds keeps them periodic and cheap.
    defaultMix: { add: 4, read: 1 },
    value(f: string): Json {
      switch (f) {
        case 'add':
          return next++;
        case 'read':
          return null;
        default:
          throw new Error(`set workload has no operation "${f}" (it has add, read)`);
      }
    },
    keysOf(): string[] {
      return [SET_KEY];
    },
    finalRead(): FinalRead {
      return { f: 'read', value: null };
    },
  };
}
