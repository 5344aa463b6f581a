// Hand-built histories for the elle tests: invocations and completions in the order they are written.
import type { Json, Op } from '../../src/history/op.js';

type M = [string, string | number, Json];

export class History {
  readonly ops: Op[] = [];
  private readonly pending = new Map<number, M[]>();

  private push(op: Omit<Op, 'index' | 'time'>): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length, ...op });
    return this;
  }

  /** Invokes a txn; reads are recorded with null, as a client does before it knows the answer. */
  invoke(process: number, mops: M[]): this {
    this.pending.set(process, mops);
    return this.push({ process, type: 'invoke', f: 'txn', value: mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]) });
  }

  /** Completes ok; `mops` are the completion's (with what reads returned); default: the invocation's. */
  ok(process: number, mops?: M[]): this {
    const m = mops ?? this.pending.get(process)!;
    this.pending.delete(process);
    return this.push({ process, type: 'ok', f: 'txn', value: m });
  }

  fail(process: number): this {
    return this.end(process, 'fail');
  }

  info(process: number): this {
    return this.end(process, 'info');
  }

  private end(process: number, type: 'fail' | 'info'): this {
    const m = this.pending.get(process)!;
    this.pending.delete(process);
    return this.push({ process, type, f: 'txn', value: m.map(([f, k, v]) => [f, k, f === 'r' ? null : v]) });
  }

  /** Invoke then complete ok at once. */
  txn(process: number, mops: M[]): this {
    return this.invoke(process, mops).ok(process);
  }
}
