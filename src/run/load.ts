// The client load: `concurrency` workers, each bound to one node, issuing generated ops and recording them.
import type { Client } from '../client/client.js';
import type { OpGenerator } from '../generator/generator.js';
import type { RateLimiter } from '../generator/rate.js';
import type { HistoryRecorder } from './recorder.js';

/**
 * After a `fail` or `info` a worker waits this long: a refused connection (killed node) fails in
 * microseconds, and without a pause one worker would write tens of thousands of identical failures a second.
 */
const PAUSE_AFTER_ERROR_MS = 20;

export interface LoadOptions {
  concurrency: number;
  generator: OpGenerator;
  client: Client;
  recorder: HistoryRecorder;
  rate?: RateLimiter;
  /** A worker hit a bug (not a store error: those are outcomes); the load stops and this is told why. */
  onError?: (e: Error) => void;
}

export class Load {
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly stopped: Promise<void>;
  private workers: Promise<void>[] = [];
  /** Highest process id used so far (final reads take ids above it). */
  maxProcess = -1;

  constructor(private readonly o: LoadOptions) {
    this.stopped = new Promise((r) => (this.wake = r));
  }

  start(): void {
    this.workers = Array.from({ length: this.o.concurrency }, (_, w) =>
      this.worker(w).catch((e: unknown) => {
        // Never an unhandled rejection: the run must still heal and tear down.
        this.stopping = true;
        this.wake?.();
        this.o.onError?.(e instanceof Error ? e : new Error(String(e)));
      }),
    );
  }

  /** Stops issuing; resolves when every in-flight op has completed (bounded by the client timeout). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await Promise.all(this.workers);
  }

  /** Sleeps `ms` unless the load is stopped first. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      void this.stopped.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private async worker(w: number): Promise<void> {
    const { generator, client, recorder, rate, concurrency } = this.o;
    let process = w;
    this.maxProcess = Math.max(this.maxProcess, process);
    while (!this.stopping) {
      let intended: number | undefined;
      if (rate) {
        intended = rate.next();
        const waitMs = (intended - recorder.now()) / 1e6;
        if (waitMs > 1) await this.pause(waitMs);
        if (this.stopping) break;
      }
      const d = generator.next(w);
      const inv = recorder.invoke({ process, f: d.f, key: d.key, value: d.value, node: d.node, intended });
      const c = await client.invoke(inv);
      recorder.complete(inv, c);
      generator.completed(w, d, c);
      if (c.type === 'info') {
        // The op may still take effect at any later time, so this process can never issue again (Jepsen).
        process += concurrency;
        this.maxProcess = Math.max(this.maxProcess, process);
      }
      if (c.type !== 'ok') await this.pause(PAUSE_AFTER_ERROR_MS);
    }
  }
}
