// Records the history as it happens: stamps index and time (one monotonic clock) and appends to history.jsonl.
import type { Completion, Json, Op, ProcessId } from '../history/op.js';

export interface InvokeFields {
  process: ProcessId;
  f: string;
  key?: string;
  value?: Json;
  node?: string;
  intended?: number;
}

/** Completed client operations so far, by type (the progress line turns these into rates). */
export interface Counts {
  ok: number;
  fail: number;
  info: number;
}

/** Where recorded ops go: the history writer (src/history/writer.ts), or any append-only sink. */
export interface OpSink {
  append(op: Op): unknown;
}

export class HistoryRecorder {
  private index = 0;
  readonly counts: Counts = { ok: 0, fail: 0, info: 0 };

  /** `t0`: process.hrtime.bigint() at the test's time zero. */
  constructor(
    private readonly file: OpSink,
    readonly t0: bigint,
  ) {}

  /** Nanoseconds since t0. */
  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  invoke(fields: InvokeFields): Op {
    const op: Op = { index: this.index++, time: this.now(), process: fields.process, type: 'invoke', f: fields.f };
    if (fields.key !== undefined) op.key = fields.key;
    op.value = fields.value ?? null;
    if (fields.node !== undefined) op.node = fields.node;
    if (fields.intended !== undefined) op.intended = fields.intended;
    this.file.append(op);
    return op;
  }

  complete(invocation: Op, c: Completion): Op {
    const op: Op = { index: this.index++, time: this.now(), process: invocation.process, type: c.type, f: invocation.f };
    if (invocation.key !== undefined) op.key = invocation.key;
    op.value = c.value !== undefined ? c.value : (invocation.value ?? null);
    if (c.succeeded === false) op.succeeded = false;
    if (c.error !== undefined) op.error = c.error;
    this.file.append(op);
    if (invocation.process !== 'nemesis') this.counts[c.type]++;
    return op;
  }

  /** Appends an op built elsewhere (the nemesis runner's), giving it the next index and, if absent, a time. */
  record(op: Omit<Op, 'index' | 'time'> & { time?: number }): Op {
    const full: Op = { ...op, index: this.index++, time: op.time ?? this.now() };
    this.file.append(full);
    return full;
  }
}
