// The checker's library API: is a history linearizable for a model? In parallel, or in this thread.
import { availableParallelism, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Op } from '../history/op.js';
import { partitionByKey, type AnyModel, type Model, type Operation } from '../model/model.js';
import { checkPartition, PartitionJob, type SearchLimits } from './linearizability.js';
import { toOperations, type Where } from './operations.js';
import type { WorkerPool } from './pool.js';
import { packOps } from './transfer.js';
import { combine, type CheckOptions, type CheckResult, type PartitionResult, type UnknownReason } from './result.js';

export * from './result.js';
export { toOperations, type Where } from './operations.js';
export { checkPartition, PartitionJob, type SearchLimits } from './linearizability.js';

export interface CheckInputOptions extends CheckOptions {
  /** Names history positions in error messages (the CLI passes `FILE:LINE`). */
  where?: Where;
  /** How long this thread works alone before worker threads join in (default 100 ms). */
  localBudgetMs?: number;
}

/** Workers join only if work is left after this long: spawning them only pays for real work. */
const LOCAL_BUDGET_MS = 100;
/** This thread's search slices: short enough to keep workers fed, long enough to cost nothing. */
const SLICE_MS = 20;
const MB = 1024 * 1024;

/** Pairs and partitions a history: what both variants of check start from. */
export function prepare(history: readonly Op[], model: AnyModel, where?: Where): { ops: Operation[]; partitions: Operation[][] } {
  const ops = toOperations(history, model, where);
  const partitions = (model.partition ? model.partition(ops) : partitionByKey(ops)).filter((p) => p.length > 0);
  return { ops, partitions };
}

/** Checks in the calling thread, partitions one after another. */
export function checkSync<S, I, O, P>(history: readonly Op[], modelIn: Model<S, I, O, P>, options: CheckInputOptions = {}): CheckResult {
  const model = modelIn as AnyModel;
  const t0 = performance.now();
  const { ops, partitions } = prepare(history, model, options.where);
  const limits = baseLimits(options, deadlineOf(options), localBytes(options));
  const results: PartitionResult[] = [];
  let decided = false;
  for (const part of partitions) {
    if (decided) {
      results.push(skipped(part, 'cancelled'));
      continue;
    }
    const r = checkPartition(model, part, keyOf(part), limits);
    results.push(r);
    if (r.valid === false && !options.allPartitions) decided = true;
  }
  return finish(model, ops, results, t0);
}

/**
 * Checks partitions in parallel. This thread searches partitions itself, smallest first, in short slices;
 * if work is still queued after a short while, worker threads join in and take the largest ones. A
 * history of small partitions is thus done before a worker would have started, and a big one keeps
 * every core busy. The first partition found not linearizable stops the others, unless
 * `allPartitions`. Models without a `spec` (user-defined ones) cannot be rebuilt in a worker, so they
 * are checked in this thread only.
 */
export async function check<S, I, O, P>(history: readonly Op[], modelIn: Model<S, I, O, P>, options: CheckInputOptions = {}): Promise<CheckResult> {
  const model = modelIn as AnyModel;
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
  if (workers < 1 || !model.spec) return checkSync(history, model, options);
  const t0 = performance.now();
  const { ops, partitions } = prepare(history, model, options.where);
  const results: (PartitionResult | undefined)[] = new Array(partitions.length);
  const limits = baseLimits(options, deadlineOf(options), localBytes(options));
  // With workers possibly joining, this thread keeps only its share of the memory budget.
  const localLimits = partitions.length > 1 ? { ...limits, maxBytes: Math.min(limits.maxBytes, poolBytes(options, workers + 1)) } : limits;
  const startPoolAt = Date.now() + (options.localBudgetMs ?? LOCAL_BUDGET_MS);
  // Indices by size: this thread takes from the small end, workers from the large end.
  const queue = partitions.map((_, i) => i).sort((a, b) => partitions[a].length - partitions[b].length);
  let lo = 0;
  let hi = queue.length;
  let decided = false;
  const cancel = new SharedArrayBuffer(4);
  const done = (i: number, r: PartitionResult): void => {
    results[i] = r;
    if (r.valid === false && !options.allPartitions && !decided) {
      decided = true;
      Atomics.store(new Int32Array(cancel), 0, 1);
    }
  };

  let feeders: Promise<void>[] = [];
  const startWorkers = async (): Promise<void> => {
    const pool = await sharedPool(Math.min(workers, hi - lo), options, workers + 1);
    const workerLimits = baseLimits(options, limits.deadline, poolBytes(options, workers + 1));
    const feed = async (): Promise<void> => {
      while (lo < hi && !decided) {
        const i = queue[--hi];
        const part = partitions[i];
        try {
          const r = await pool.run(() => ({ model: model.spec!, key: keyOf(part), ops: packOps(part), limits: workerLimits, cancel }), () => decided || Date.now() > limits.deadline);
          done(i, r ?? skipped(part, decided ? 'cancelled' : 'timeout'));
        } catch (e) {
          if (!(e instanceof Error && e.name === 'WorkerDied')) throw e;
          done(i, skipped(part, 'memory'));
        }
      }
    };
    feeders = Array.from({ length: pool.size }, feed);
  };

  let starting: Promise<void> | undefined;
  const maybeStart = (): void => {
    if (!starting && lo < hi && Date.now() >= startPoolAt) starting = startWorkers();
  };
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  while (lo < hi && !decided) {
    maybeStart();
    const i = queue[lo++];
    const job = new PartitionJob(model, partitions[i], keyOf(partitions[i]), { ...localLimits, cancel: new Int32Array(cancel) });
    // Slices keep the event loop turning, so finished worker tasks are collected and new ones sent.
    while (!job.run(Date.now() + SLICE_MS)) {
      maybeStart();
      await turn();
    }
    done(i, job.result());
    if (starting) await turn();
  }
  await starting;
  await Promise.all(feeders);
  for (let i = 0; i < partitions.length; i++) results[i] ??= skipped(partitions[i], 'cancelled');
  return finish(model, ops, results as PartitionResult[], t0);
}

/** Stops the shared worker pool (idle workers never keep the process alive, so this is optional). */
export async function closeWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

let pool: WorkerPool | undefined;

/** The pool module (and worker threads) are loaded only when a check needs them. */
async function sharedPool(size: number, options: CheckOptions, shares: number): Promise<WorkerPool> {
  // Each worker's V8 heap gets a little headroom above its share, so the search's own cap trips first
  // and ends in `unknown` with evidence, rather than the worker dying.
  const heapMb = Math.ceil(poolBytes(options, shares) / MB) + 256;
  if (pool && pool.size >= size && pool.maxOldMb === heapMb) return pool;
  void pool?.close();
  const { WorkerPool } = await import('./pool.js');
  pool = new WorkerPool(size, heapMb);
  return pool;
}

const DEFAULT_BUDGET_MB = Math.min(4096, Math.floor(totalmem() / MB / 2));
const HEAP_LIMIT = getHeapStatistics().heap_size_limit;

function budgetBytes(options: CheckOptions): number {
  return (options.maxMemoryMb ?? DEFAULT_BUDGET_MB) * MB;
}

/** This thread's V8 heap limit bounds what it can use, whatever the budget says. */
function localBytes(options: CheckOptions): number {
  return Math.min(budgetBytes(options), HEAP_LIMIT * 0.9);
}

/** One thread's share of the memory budget when `threads` threads search at once. */
function poolBytes(options: CheckOptions, threads: number): number {
  return budgetBytes(options) / threads;
}

function deadlineOf(options: CheckOptions): number {
  return options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
}

function baseLimits(options: CheckOptions, deadline: number, maxBytes: number): Omit<SearchLimits, 'cancel'> {
  return {
    deadline,
    maxBytes,
    evidence: options.evidence ?? 'failures',
  };
}

function keyOf(part: readonly Operation[]): string | null {
  const k = part[0]?.key;
  return k !== undefined && part.every((o) => o.key === k) ? k : null;
}

function skipped(part: readonly Operation[], reason: UnknownReason): PartitionResult {
  return { key: keyOf(part), valid: 'unknown', reason, ops: part.length, ms: 0, visited: 0 };
}

function finish(model: AnyModel, ops: readonly Operation[], partitions: PartitionResult[], t0: number): CheckResult {
  return { valid: combine(partitions.map((p) => p.valid)), partitions, ms: performance.now() - t0, ops: ops.length, model: model.name };
}
