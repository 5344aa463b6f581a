// The checker's library API: is a history linearizable for a model? In parallel, or in this thread.
import type { Op } from '../history/op.js';
import type { AnyModel, Model, Operation } from '../model/model.js';
import { baseLimits, deadlineOf, localBytes } from './budget.js';
import { checkPartition } from './linearizability.js';
import { toOperations, type Where } from './operations.js';
import { finish, keyOf, partition, skipped } from './partitions.js';
import { CheckSession, defaultWorkers } from './session.js';
import type { CheckOptions, CheckResult, PartitionResult } from './result.js';

export * from './result.js';
export { toOperations, type Where } from './operations.js';
export { checkPartition, PartitionJob, type SearchLimits } from './linearizability.js';
export { prepare } from './partitions.js';
export { CheckSession, closeWorkers, type HistoryOptions, type SessionOptions } from './session.js';

export interface CheckInputOptions extends CheckOptions {
  /** Names history positions in error messages (the CLI passes `FILE:LINE`). */
  where?: Where;
  /** How long this thread works alone before worker threads join in (default 100 ms). */
  localBudgetMs?: number;
}

/** Checks in the calling thread, partitions one after another. */
export function checkSync<S, I, O, P>(history: readonly Op[], modelIn: Model<S, I, O, P>, options: CheckInputOptions = {}): CheckResult {
  const model = modelIn as AnyModel;
  return checkOperationsSync(toOperations(history, model, options.where), model, options);
}

function checkOperationsSync(ops: Operation[], model: AnyModel, options: CheckOptions): CheckResult {
  const t0 = performance.now();
  const partitions = partition(ops, model);
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
 * Checks partitions in parallel: this thread and, once there is real work, worker threads (see
 * CheckSession; several histories at once go through one session). Models without a `spec`
 * (user-defined ones) cannot be rebuilt in a worker, so they are checked in this thread only.
 */
export async function check<S, I, O, P>(history: readonly Op[], modelIn: Model<S, I, O, P>, options: CheckInputOptions = {}): Promise<CheckResult> {
  const model = modelIn as AnyModel;
  return checkOperations(toOperations(history, model, options.where), model, options);
}

/**
 * `check` of operations already paired (`toOperations`), as Porcupine's CheckOperations takes them: for a
 * caller that holds operations rather than a history, or that times the search apart from the pairing.
 */
export async function checkOperations<S, I, O, P>(ops: Operation[], modelIn: Model<S, I, O, P>, options: CheckInputOptions = {}): Promise<CheckResult> {
  const model = modelIn as AnyModel;
  const workers = options.workers ?? defaultWorkers();
  if (workers < 1 || !model.spec) return checkOperationsSync(ops, model, options);
  const session = new CheckSession({ workers, maxMemoryMb: options.maxMemoryMb, localBudgetMs: options.localBudgetMs });
  return session.submitOperations(ops, model, options);
}
