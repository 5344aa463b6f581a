// Checks many histories at once on every core: one queue of partitions from all of them, shared by this thread and the worker pool.
import { availableParallelism } from 'node:os';
import type { Op } from '../history/op.js';
import type { AnyModel, Operation } from '../model/model.js';
import { baseLimits, deadlineOf, localBytes, poolBytes, workerHeapMb } from './budget.js';
import { PartitionJob, type SearchLimits } from './linearizability.js';
import { toOperations, type Where } from './operations.js';
import { finish, keyOf, partition, skipped } from './partitions.js';
import type { WorkerPool } from './pool.js';
import type { CheckOptions, CheckResult, PartitionResult } from './result.js';
import { packOps } from './transfer.js';

/** Per history: everything of CheckOptions but the thread count and memory budget, which the session owns. */
export interface HistoryOptions extends Omit<CheckOptions, 'workers' | 'maxMemoryMb'> {
  /** Names history positions in error messages (the CLI passes `FILE:LINE`). */
  where?: Where;
}

export interface SessionOptions {
  /** Worker threads besides this one; default cores - 1 (at least 1). 0: this thread only. */
  workers?: number;
  /** Memory budget of all searches together, in MiB (see budget.ts). */
  maxMemoryMb?: number;
  /** How long this thread works alone before worker threads join in (default 100 ms). */
  localBudgetMs?: number;
  /**
   * How many histories will be submitted in all (default 1). With one, a history of one partition gets this
   * thread's whole budget, since nothing else can run beside it. With more, workers join only while the work
   * left, at the pace histories have been finishing, would outlast a worker's start.
   */
  histories?: number;
}

/** Workers join only if work is left after this long: spawning them only pays for real work. */
const LOCAL_BUDGET_MS = 100;
/**
 * Work a worker must have ahead of it to pay for itself: it takes 30-40 ms to load its modules and then runs
 * with cold JIT. Over the 103 small files of Porcupine's jepsen corpus, a pool that started 100 ms in came up
 * when this thread was nearly done, and its start-up and exit held the process 20-30 ms past the last file.
 */
const POOL_PAYS_MS = 100;
/** This thread's search slices: short enough to keep workers fed, long enough to cost nothing. */
const SLICE_MS = 20;

/**
 * Whether workers started now would have more work than their start-up costs: always for one history (its
 * partitions are all there is), before any history has finished, or while one search has held this thread for
 * LOCAL_BUDGET_MS; for a batch, when the histories not yet finished, or the partitions waiting, would take
 * POOL_PAYS_MS at the pace so far (`elapsedMs` since the first history was started, over `finished` histories and
 * `searched` partitions; `searchMs` into this thread's current search).
 */
export function poolPays(p: { histories: number; finished: number; searched: number; waiting: number; elapsedMs: number | undefined; searchMs: number | undefined }): boolean {
  if (p.histories <= 1 || p.finished === 0 || p.elapsedMs === undefined) return true;
  if (p.searchMs !== undefined && p.searchMs >= LOCAL_BUDGET_MS) return true;
  const histories = ((p.histories - p.finished) * p.elapsedMs) / p.finished;
  const partitions = (p.waiting * p.elapsedMs) / Math.max(1, p.searched);
  return Math.max(histories, partitions) >= POOL_PAYS_MS;
}

/** Read once: each call is a system call, which cost a small history's check 6 of its 64 µs. */
let cores: number | undefined;

export function defaultWorkers(): number {
  cores ??= availableParallelism();
  return Math.max(1, cores - 1);
}

interface Pending {
  model: AnyModel;
  options: HistoryOptions;
  ops: Operation[];
  parts: Operation[][];
  /** Indices of partitions not yet started, smallest first. */
  waiting: number[];
  results: (PartitionResult | undefined)[];
  left: number;
  decided: boolean;
  /**
   * Nonzero once the history is decided: read by this thread's searches. A worker's search reads `shared`,
   * made when a partition is first sent to one; most histories never are, and a SharedArrayBuffer costs a
   * small check more than a plain one (4 µs of 28 cold).
   */
  cancel: Int32Array;
  shared: Int32Array | undefined;
  startedAt: boolean;
  deadline: number;
  t0: number;
  resolve: (r: CheckResult) => void;
  reject: (e: unknown) => void;
}

/**
 * This thread searches the earliest history's smallest partitions, in short slices; once work has been
 * waiting a little while, worker threads join and take the largest partitions of any history. So a batch
 * of small files is done before a worker would have started, several single-partition files run side by
 * side, and a big partition never blocks this thread. Each history keeps its own verdict, cancellation
 * (its first illegal partition stops its others, unless `allPartitions`) and deadline. Every search is
 * capped at its thread's share of the memory budget, so the budget holds whatever runs at once.
 */
export class CheckSession {
  private readonly histories: Pending[] = [];
  private readonly workers: number;
  private readonly startPoolAt: number;
  private driving = false;
  private pool: Promise<WorkerPool> | undefined;
  private feeding = 0;
  /** Histories and partitions finished, and when the first history was started: the pace that predicts the work left. */
  private finished = 0;
  private searched = 0;
  private firstStart: number | undefined;
  /** When this thread's current partition search began (undefined between searches). */
  private jobSince: number | undefined;

  constructor(private readonly options: SessionOptions = {}) {
    this.workers = options.workers ?? defaultWorkers();
    this.startPoolAt = Date.now() + (options.localBudgetMs ?? LOCAL_BUDGET_MS);
  }

  /** Resolves when the history is decided; it is checked alongside whatever else was submitted. */
  submit(history: readonly Op[], model: AnyModel, options: HistoryOptions = {}): Promise<CheckResult> {
    let ops: Operation[];
    try {
      ops = toOperations(history, model, options.where);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.submitOperations(ops, model, options);
  }

  /** `submit` of operations already paired (see checkOperations). */
  submitOperations(ops: Operation[], model: AnyModel, options: HistoryOptions = {}): Promise<CheckResult> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const partitions = partition(ops, model);
      if (partitions.length === 0) return resolve(finish(model, ops, [], t0));
      const waiting = partitions.map((_, i) => i).sort((a, b) => partitions[a].length - partitions[b].length);
      const h: Pending = { model, options, ops, parts: partitions, waiting, results: new Array(partitions.length), left: partitions.length, decided: false, cancel: new Int32Array(1), shared: undefined, startedAt: false, deadline: Infinity, t0, resolve, reject };
      this.histories.push(h);
      void this.drive();
      this.feed();
    });
  }

  private get threads(): number {
    return this.workers + 1;
  }

  /** This thread's loop: smallest partition of the earliest history first, in slices. */
  private async drive(): Promise<void> {
    if (this.driving) return;
    this.driving = true;
    let yielded = Date.now();
    try {
      for (;;) {
        const h = this.histories.find((x) => x.waiting.length > 0);
        if (!h) break;
        this.maybeStartPool();
        const i = h.waiting.shift()!;
        this.started(h);
        if (Date.now() > h.deadline) {
          this.done(h, i, skipped(h.parts[i], 'timeout'));
          continue;
        }
        try {
          this.jobSince = Date.now();
          const limits = this.limits(h, this.localShare(h));
          limits.cancel = h.cancel;
          const job = new PartitionJob(h.model, h.parts[i], keyOf(h.parts[i]), limits);
          // Slices keep the event loop turning, so finished worker tasks are collected and new ones sent.
          while (!job.run(Date.now() + SLICE_MS)) {
            this.maybeStartPool();
            await turn();
            yielded = Date.now();
          }
          this.done(h, i, job.result());
        } catch (e) {
          this.fail(h, e);
        } finally {
          this.jobSince = undefined;
        }
        // Between partitions too, but only once a slice's worth of time has passed: a turn of the event
        // loop per small partition costs more than its search.
        if (Date.now() - yielded >= SLICE_MS) {
          await turn();
          yielded = Date.now();
        }
      }
    } finally {
      this.driving = false;
    }
  }

  private localShare(h: Pending): number {
    const all = localBytes({ maxMemoryMb: this.options.maxMemoryMb });
    if (this.workers < 1 || ((this.options.histories ?? 1) <= 1 && h.parts.length === 1)) return all;
    return Math.min(all, poolBytes({ maxMemoryMb: this.options.maxMemoryMb }, this.threads));
  }

  private limits(h: Pending, maxBytes: number): SearchLimits {
    return baseLimits(h.options, h.deadline, maxBytes);
  }

  /** A history's time (its `ms`) and time limit count from when it is first worked on, not from when it was queued. */
  private started(h: Pending): void {
    if (h.startedAt) return;
    h.startedAt = true;
    h.t0 = performance.now();
    h.deadline = deadlineOf(h.options);
    this.firstStart ??= Date.now();
  }

  private maybeStartPool(): void {
    if (this.pool || this.workers < 1 || Date.now() < this.startPoolAt || !this.histories.some((h) => h.model.spec && h.waiting.length > 0)) return;
    if (!this.poolPays()) return;
    this.pool = sharedPool(this.workers, workerHeapMb({ maxMemoryMb: this.options.maxMemoryMb }, this.threads));
    this.feed();
  }

  private poolPays(): boolean {
    const now = Date.now();
    return poolPays({
      histories: this.options.histories ?? 1,
      finished: this.finished,
      searched: this.searched,
      waiting: this.histories.reduce((n, h) => n + h.waiting.length, 0),
      elapsedMs: this.firstStart === undefined ? undefined : now - this.firstStart,
      searchMs: this.jobSince === undefined ? undefined : now - this.jobSince,
    });
  }

  /** Keeps one feeder per worker while partitions that a worker can rebuild are waiting. */
  private feed(): void {
    if (!this.pool) return;
    const pool = this.pool;
    while (this.feeding < this.workers && this.histories.some((h) => h.model.spec && h.waiting.length > 0)) {
      this.feeding++;
      void this.feeder(pool).finally(() => this.feeding--);
    }
  }

  /** Takes the largest waiting partition of any history, one at a time, for one worker. */
  private async feeder(poolPromise: Promise<WorkerPool>): Promise<void> {
    const pool = await poolPromise;
    // Work is taken (and its history's clock started) only once a worker can start on it; until then
    // this thread goes on taking the smallest partitions.
    await pool.ready;
    for (;;) {
      let h: Pending | undefined;
      for (const x of this.histories) if (x.model.spec && x.waiting.length > 0 && (!h || x.parts[x.waiting[x.waiting.length - 1]].length > h.parts[h.waiting[h.waiting.length - 1]].length)) h = x;
      if (!h) return;
      const i = h.waiting.pop()!;
      this.started(h);
      const part = h.parts[i];
      const target = h;
      try {
        const r = await pool.run(
          () => ({ model: target.model.spec!, key: keyOf(part), ops: packOps(part), limits: this.limits(target, poolBytes({ maxMemoryMb: this.options.maxMemoryMb }, this.threads)), cancel: sharedFlag(target) }),
          () => target.decided || Date.now() > target.deadline,
        );
        this.done(target, i, r ?? skipped(part, target.decided ? 'cancelled' : 'timeout'));
      } catch (e) {
        if (e instanceof Error && e.name === 'WorkerDied') this.done(target, i, skipped(part, 'memory'));
        else this.fail(target, e);
      }
    }
  }

  private done(h: Pending, i: number, r: PartitionResult): void {
    if (h.results[i] !== undefined) return;
    h.results[i] = r;
    h.left--;
    this.searched++;
    if (r.valid === false && !h.options.allPartitions && !h.decided) {
      h.decided = true;
      cancel(h);
      // What has not started never will: the verdict is known.
      for (const j of h.waiting) {
        h.results[j] = skipped(h.parts[j], 'cancelled');
        h.left--;
      }
      h.waiting = [];
    }
    if (h.left === 0) {
      this.remove(h);
      h.resolve(finish(h.model, h.ops, h.results as PartitionResult[], h.t0));
    }
  }

  private fail(h: Pending, e: unknown): void {
    // The other threads searching its partitions may fail it again.
    if (!this.histories.includes(h)) return;
    h.decided = true;
    cancel(h);
    h.waiting = [];
    this.remove(h);
    h.reject(e);
  }

  /** A history leaves once, decided or failed; histories that never reach the session count as left to do. */
  private remove(h: Pending): void {
    const k = this.histories.indexOf(h);
    if (k < 0) return;
    this.histories.splice(k, 1);
    this.finished++;
  }
}

/** Tells every search of the history, here and on workers, to stop. */
function cancel(h: Pending): void {
  h.cancel[0] = 1;
  if (h.shared) Atomics.store(h.shared, 0, 1);
}

/** The history's flag as workers read it, made on first use with the flag's value so far. */
function sharedFlag(h: Pending): SharedArrayBuffer {
  h.shared ??= new Int32Array(new SharedArrayBuffer(4));
  h.shared[0] = h.cancel[0];
  return h.shared.buffer as SharedArrayBuffer;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

let pool: Promise<WorkerPool> | undefined;

/**
 * The pool module (and worker threads) are loaded only when a check needs them; one pool per process. The
 * promise is assigned before anything is awaited, so a close while the module loads finds (and stops) it, and
 * two callers share one pool. A pool that failed to load is forgotten, so the next call tries again.
 */
function sharedPool(size: number, heapMb: number): Promise<WorkerPool> {
  const next: Promise<WorkerPool> = (pool ?? Promise.resolve(undefined)).catch(() => undefined).then(async (current) => {
    if (current && current.size >= size && current.maxOldMb === heapMb) return current;
    void current?.close();
    const { WorkerPool } = await import('./pool.js');
    return new WorkerPool(size, heapMb);
  });
  pool = next;
  next.catch(() => {
    if (pool === next) pool = undefined;
  });
  return next;
}

/** Stops the shared worker pool (idle workers never keep the process alive, so this is optional). */
export async function closeWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  await (await p?.catch(() => undefined))?.close();
}
