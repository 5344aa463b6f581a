// The Workload seam: which operations a test issues, how their values are drawn, and which model judges them.
import type { Json } from '../history/op.js';
import type { Random } from '../generator/random.js';

/** Operation weights, e.g. { read: 2, write: 1, cas: 1 }. */
export type Mix = Record<string, number>;

/** Where an operation is drawn: which worker, and how many ops that worker drew before. */
export interface DrawContext {
  worker: number;
  seq: number;
}

export interface Workload {
  readonly name: string;
  /** Checker model name (src/model/registry.ts): register | cas-register | kv. */
  readonly model: string;
  /** Every key's value before the first write (null = absent). */
  readonly initial: Json;
  /** Operations this workload can issue. */
  readonly fs: readonly string[];
  /** The read used for the final reads of every key on every node. */
  readonly readF: string;
  readonly defaultMix: Mix;
  /** Value of an invocation of `f` (null for reads). */
  value(f: string, rng: Random, ctx: DrawContext): Json;
}
