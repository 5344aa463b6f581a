// Independent keys (Jepsen's independent/concurrent-generator): groups of workers share a key for a bounded
// number of operations, then move on to a fresh one, so each key's history stays small enough to check.

export interface KeyOptions {
  /** Workers sharing one key at a time (default: one per node, so every key sees every node). */
  threadsPerKey: number;
  /** Operations on a key before its group moves to a fresh key. */
  opsPerKey: number;
}

export class KeyPlan {
  private readonly groups: number;
  /** Per group: index of its current key (0, 1, 2... within the group) and ops issued on it. */
  private readonly current: number[];
  private readonly issued: number[];
  private readonly used = new Set<string>();

  constructor(
    private readonly concurrency: number,
    private readonly options: KeyOptions,
  ) {
    this.groups = Math.max(1, Math.ceil(concurrency / Math.max(1, options.threadsPerKey)));
    this.current = new Array<number>(this.groups).fill(0);
    this.issued = new Array<number>(this.groups).fill(0);
  }

  groupOf(worker: number): number {
    return Math.floor(worker / Math.max(1, this.options.threadsPerKey)) % this.groups;
  }

  /** The key for this worker's next op. Group g's keys are k<g>, k<g+G>, k<g+2G>...: never shared by groups. */
  next(worker: number): string {
    const g = this.groupOf(worker);
    if (this.issued[g]! >= this.options.opsPerKey) {
      this.current[g]!++;
      this.issued[g] = 0;
    }
    this.issued[g]!++;
    const key = `k${this.current[g]! * this.groups + g}`;
    this.used.add(key);
    return key;
  }

  /** Records a key a multi-key workload chose itself (OpSource.keysOf), so the final reads read it too. */
  note(key: string): void {
    this.used.add(key);
  }

  /** Every key any op touched, in first-use order (the final reads read each on every node). */
  keys(): string[] {
    return [...this.used];
  }
}
