// Appends ops to a history.jsonl file: buffered, flushed at least every 200 ms and on close.
import { existsSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Op } from './op.js';

export interface HistoryWriterOptions {
  /** fsync the file on close (survives a machine crash, not just a killed harness). Default false. */
  fsync?: boolean;
  /** Longest time an appended op may sit in memory. Default 200 ms. */
  flushMs?: number;
}

/** Lines buffered before a flush starts without waiting for the timer. */
const BATCH = 4096;

/** An op as the harness produces it; `index` is assigned by the writer when absent. */
export type NewOp = Omit<Op, 'index'> & { index?: number };

/**
 * Only whole lines are ever written, each flush in one write, so a harness killed between flushes
 * leaves a file whose every line is a valid op: a valid prefix of the history.
 */
export class HistoryWriter {
  private buffer: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    private next: number,
    private readonly options: HistoryWriterOptions,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs ?? 200);
    // A pending flush timer must not keep the process alive on its own.
    this.timer.unref();
  }

  /** Opens `path` for appending; indices continue from the ops already in the file. */
  static async open(path: string, options: HistoryWriterOptions = {}): Promise<HistoryWriter> {
    let existing = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) existing++;
      if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${path}: last line is incomplete; refusing to append after it`);
    }
    return new HistoryWriter(await open(path, 'a'), existing, options);
  }

  /** Number of ops written or buffered so far (the next op's index). */
  get count(): number {
    return this.next;
  }

  /** Buffers one op and returns it as recorded (with its index). Throws if an earlier flush failed. */
  append(op: NewOp): Op {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('HistoryWriter: append after close');
    const { index, ...rest } = op;
    const full: Op = { index: index ?? this.next, ...rest };
    if (full.index !== this.next) throw new Error(`HistoryWriter: index ${full.index} out of order (expected ${this.next})`);
    this.next++;
    this.buffer.push(JSON.stringify(full));
    // A fast producer should not pile up a huge buffer between timer ticks.
    if (this.buffer.length >= BATCH) void this.flush().catch(() => undefined);
    return full;
  }

  /** Writes everything buffered so far; resolves once it is in the file. */
  flush(): Promise<void> {
    if (this.buffer.length > 0) {
      const text = this.buffer.join('\n') + '\n';
      this.buffer = [];
      // Writes are chained so lines reach the file in append order even when flushes overlap.
      this.writing = this.writing.then(async () => {
        if (this.failure) return;
        try {
          await this.fh.write(text);
        } catch (e) {
          this.failure = e as Error;
        }
      });
    }
    return this.writing.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    try {
      await this.flush();
      if (this.options.fsync) await this.fh.sync();
    } finally {
      this.closed = true;
      await this.fh.close();
    }
  }
}
