// The Client seam: performs one operation on one node and classifies the outcome ok / fail / info.
import type { Completion, Op } from '../history/op.js';

/** How a system's client is made (System.createClient). */
export interface ClientOptions {
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Reads answered from the node's local state (may be stale) instead of linearizable ones. */
  localReads: boolean;
  /** Keep-alive connections per node; at least the number of workers talking to that node. */
  connectionsPerNode: number;
}

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
