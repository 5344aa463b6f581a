// The Client seam: performs one operation on one node and classifies the outcome ok / fail / info.
import type { Completion, Op } from '../history/op.js';

/**
 * An invocation in, a completion out. `fail` only when the op certainly did not take effect; every
 * ambiguous outcome is `info`. A cas whose compare failed is `ok` with succeeded:false.
 */
export interface Client {
  open(node: string, url: string): Promise<void>;
  /** The invocation as recorded (f, key, value, node); resolves with how it ended, never rejects for store trouble. */
  invoke(op: Op): Promise<Completion>;
  close(): Promise<void>;
}
