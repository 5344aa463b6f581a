// From a history to its partitions, and from partition results back to one CheckResult.
import type { Op } from '../history/op.js';
import { partitionByKey, type AnyModel, type Operation } from '../model/model.js';
import { toOperations, type Where } from './operations.js';
import { combine, type CheckResult, type PartitionResult, type UnknownReason } from './result.js';

/** Pairs and partitions a history: what every way of checking starts from. */
export function prepare(history: readonly Op[], model: AnyModel, where?: Where): { ops: Operation[]; partitions: Operation[][] } {
  const ops = toOperations(history, model, where);
  return { ops, partitions: partition(ops, model) };
}

/** The model's partitions of paired operations (by key unless the model partitions otherwise), none empty. */
export function partition(ops: Operation[], model: AnyModel): Operation[][] {
  return (model.partition ? model.partition(ops) : partitionByKey(ops)).filter((p) => p.length > 0);
}

export function keyOf(part: readonly Operation[]): string | null {
  const k = part[0]?.key;
  if (k === undefined) return null;
  for (let i = 1; i < part.length; i++) if (part[i].key !== k) return null;
  return k;
}

/** The result of a partition that was not searched (or not to the end). */
export function skipped(part: readonly Operation[], reason: UnknownReason): PartitionResult {
  return { key: keyOf(part), valid: 'unknown', reason, ops: part.length, ms: 0, visited: 0 };
}

export function finish(model: AnyModel, ops: readonly Operation[], partitions: PartitionResult[], t0: number): CheckResult {
  return { valid: combine(partitions.map((p) => p.valid)), partitions, ms: performance.now() - t0, ops: ops.length, model: model.name };
}
