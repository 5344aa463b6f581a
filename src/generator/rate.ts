// Global rate limit: hands out intended start times t0 + k/rate, so latency is measured from when an op
// should have started and a slow store cannot hide its slowness (no coordinated omission).

export class RateLimiter {
  private k = 0;
  private readonly intervalNs: number;

  /** `startNs`: history time of the first slot; `rate`: ops/s over all workers. */
  constructor(
    rate: number,
    private readonly startNs: number,
  ) {
    this.intervalNs = 1e9 / rate;
  }

  /** The next slot's intended start time (history ns). Slots are never skipped: a late worker runs at once. */
  next(): number {
    return Math.round(this.startNs + this.k++ * this.intervalNs);
  }
}
