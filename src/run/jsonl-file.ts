// An append-only JSON-lines file flushed on a short timer, so a killed harness leaves a readable prefix.
import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Lines are buffered in memory and written with one synchronous write every `flushMs` (default 100 ms,
 * under the history contract's 200 ms) and on close. Synchronous writes keep lines whole and in order,
 * and cost a few microseconds per flush; one write per op would cost a syscall per op on the hot path.
 */
export class JsonlFile {
  private buffer: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private fd: number | undefined;

  constructor(
    readonly path: string,
    flushMs = 100,
  ) {
    this.fd = openSync(path, 'a');
    this.timer = setInterval(() => this.flush(), flushMs);
    // The timer must not keep the process alive after the run ended.
    this.timer.unref();
  }

  append(record: unknown): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    this.buffer.push(JSON.stringify(record) + '\n');
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.fd === undefined) return;
    clearInterval(this.timer);
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
