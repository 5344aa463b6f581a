// Polls the cluster's leader about once a second for the progress line and `leader` events.
import type { Cluster } from '../system/system.js';

export class LeaderWatch {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** undefined: not polled yet; null: no leader agreed by a majority. */
  current: string | null | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly onChange: (leader: string | null) => void,
    private readonly periodMs = 1000,
  ) {}

  start(): void {
    const poll = async (): Promise<void> => {
      // Skip a tick rather than pile up polls when nodes are slow to answer (partitions, pauses).
      if (this.busy) return;
      this.busy = true;
      try {
        const l = (await this.cluster.leader().catch(() => undefined)) ?? null;
        if (this.timer !== undefined && l !== this.current) {
          this.current = l;
          this.onChange(l);
        }
      } finally {
        this.busy = false;
      }
    };
    this.timer = setInterval(() => void poll(), this.periodMs);
    this.timer.unref();
    void poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
