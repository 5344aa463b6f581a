// The history's unit: one invocation or completion, exactly as one line of history.jsonl (ARCHITECTURE.md).

/** Any value that survives JSON.stringify/parse unchanged. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** The process of the nemesis; every other process is a non-negative integer. */
export const NEMESIS = 'nemesis';
export type ProcessId = number | typeof NEMESIS;

export interface Op {
  /** Position in the history, 0-based, dense. */
  index: number;
  /** Nanoseconds since the test began, from one monotonic clock in the harness. */
  time: number;
  process: ProcessId;
  type: OpType;
  /** Operation name: read, write, cas, get, put, append; nemesis ops: start-partition, stop-partition, ... */
  f: string;
  /** Independent-key partition (P-compositionality). Absent for single-register histories. */
  key?: string;
  /**
   * Model input/output. read: null on invoke, value read on ok (null when absent); write: value written;
   * cas: [expected, new]; nemesis: a description of the fault (e.g. the grudge).
   */
  value?: Json;
  /** Node the client talked to (invocations). */
  node?: string;
  /** cas only: false when the cas executed and observed a value other than the expected one. */
  succeeded?: boolean;
  /** Why an op ended fail/info: a short machine-readable reason. */
  error?: string;
  /** For rate-limited runs: when the generator meant to invoke (ns), so latency avoids coordinated omission. */
  intended?: number;
}

/** What a client's completion adds to its invocation: the one completion shape of the whole harness. */
export type Completion = Pick<Op, 'type' | 'value' | 'succeeded' | 'error'> & { type: 'ok' | 'fail' | 'info' };

/** A nemesis action as recorded in the history: a fault window starts at start-X and ends at stop-X. */
export function isNemesisOp(op: Op): boolean {
  return op.process === NEMESIS;
}
