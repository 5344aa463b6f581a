// The Workload seam: which operations a test issues, how their values are drawn, and which model judges them.
import type { Json } from '../history/op.js';
import type { OpSource } from '../generator/generator.js';

export interface Workload extends OpSource {
  readonly name: string;
  /** Checker model name (src/model/registry.ts): register | cas-register | kv. */
  readonly model: string;
  /** Every key's value before the first write (null = absent). */
  readonly initial: Json;
  /** Operations this workload can issue. */
  readonly fs: readonly string[];
  /** The read used for the final reads of every key on every node. */
  readonly readF: string;
  /** The final read of `key` when it is not `{f: readF, key, value: null}` (a txn workload reads inside a txn). */
  finalRead?(key: string): FinalRead;
}

export interface FinalRead {
  f: string;
  key?: string;
  value: Json;
}
