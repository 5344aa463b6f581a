// Watches the harness's own event loop: a stall over the threshold means timings inside it are suspect.

export interface Stall {
  /** History time (ns) when the stall ended. */
  time: number;
  ms: number;
}

/**
 * A 10 ms interval timer: when it fires late by more than `thresholdMs`, the loop was blocked (a GC pause,
 * a frozen VM, a synchronous hog) for about that long. Cheaper and more direct than sampling a histogram.
 */
export class StallWatcher {
  private timer: NodeJS.Timeout | undefined;
  private last = 0n;
  private worstMs = 0;
  private count = 0;

  constructor(
    private readonly now: () => number,
    private readonly onStall: (s: Stall) => void,
    private readonly thresholdMs = 100,
    private readonly periodMs = 10,
  ) {}

  start(): void {
    this.last = process.hrtime.bigint();
    this.timer = setInterval(() => {
      const t = process.hrtime.bigint();
      const lateMs = Number(t - this.last) / 1e6 - this.periodMs;
      this.last = t;
      if (lateMs > this.thresholdMs) {
        this.count++;
        this.worstMs = Math.max(this.worstMs, lateMs);
        this.onStall({ time: this.now(), ms: Math.round(lateMs) });
      }
    }, this.periodMs);
    this.timer.unref();
  }

  stop(): { count: number; worstMs: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return { count: this.count, worstMs: Math.round(this.worstMs) };
  }
}
