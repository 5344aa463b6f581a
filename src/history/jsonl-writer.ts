// Appends JSON lines to a file: buffered, whole lines only, flushed on a timer and on close, so a killed harness
// leaves a file whose every line is complete (the history, the events). The one JSONL writer of the project.
import { existsSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export interface JsonlWriterOptions {
  /** fsync the file on close (survives a machine crash, not just a killed harness). Default false. */
  fsync?: boolean;
  /** Longest time an appended line may sit in memory. Default 200 ms (the history contract's bound). */
  flushMs?: number;
}

/** Lines buffered before a flush starts without waiting for the timer. */
const BATCH = 4096;

export class JsonlWriter<T> {
  private buffer: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    /** Lines the file held when it was opened. */
    readonly existing: number,
    private readonly options: JsonlWriterOptions,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs ?? 200);
    // A pending flush timer must not keep the process alive on its own.
    this.timer.unref();
  }

  /** Opens `path` for appending after the lines already in it; refuses a file whose last line is cut off. */
  static async open<T>(path: string, options: JsonlWriterOptions = {}): Promise<JsonlWriter<T>> {
    let existing = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) existing++;
      if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${path}: last line is incomplete; refusing to append after it`);
    }
    return new JsonlWriter<T>(await open(path, 'a'), existing, options);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Buffers one record. Throws if an earlier flush failed or the writer is closed. */
  append(record: T): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('JsonlWriter: append after close');
    this.buffer.push(JSON.stringify(record));
    // A fast producer should not pile up a huge buffer between timer ticks.
    if (this.buffer.length >= BATCH) void this.flush().catch(() => undefined);
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
