// Appends ops to a history.jsonl file through the JSONL writer, giving each its dense index.
import { JsonlWriter, type JsonlWriterOptions } from './jsonl-writer.js';
import type { Op } from './op.js';

export type HistoryWriterOptions = JsonlWriterOptions;

/** An op as the harness produces it; `index` is assigned by the writer when absent. */
export type NewOp = Omit<Op, 'index'> & { index?: number };

/**
 * Only whole lines are ever written, each flush in one write, so a harness killed between flushes
 * leaves a file whose every line is a valid op: a valid prefix of the history.
 */
export class HistoryWriter {
  private next: number;

  private constructor(private readonly file: JsonlWriter<Op>) {
    this.next = file.existing;
  }

  /** Opens `path` for appending; indices continue from the ops already in the file. */
  static async open(path: string, options: HistoryWriterOptions = {}): Promise<HistoryWriter> {
    return new HistoryWriter(await JsonlWriter.open<Op>(path, options));
  }

  /** Number of ops written or buffered so far (the next op's index). */
  get count(): number {
    return this.next;
  }

  /** Buffers one op and returns it as recorded (with its index). Throws if an earlier flush failed. */
  append(op: NewOp): Op {
    if (this.file.isClosed) throw new Error('HistoryWriter: append after close');
    const { index, ...rest } = op;
    const full: Op = { index: index ?? this.next, ...rest };
    if (full.index !== this.next) throw new Error(`HistoryWriter: index ${full.index} out of order (expected ${this.next})`);
    this.file.append(full);
    this.next++;
    return full;
  }

  flush(): Promise<void> {
    return this.file.flush();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
