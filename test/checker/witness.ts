// Checks a linearization the checker reports for a valid partition, independently of the search.
import type { AnyModel, Operation } from '../../src/model/model.js';

/**
 * Why `order` (op ids, as `PartitionResult.linearized` gives them) does not witness that `ops` are
 * linearizable, or null when it does: every completed op appears once, an unknown-outcome one at most
 * once; no op comes after one that was invoked after it completed; and replaying the model in that
 * order from its initial state never meets an illegal step (the first state is followed: deterministic
 * models only).
 */
export function witnessProblem(model: AnyModel, ops: readonly Operation[], order: readonly number[]): string | null {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const seen = new Set<number>();
  let state = model.init();
  let latestCall = -Infinity;
  for (const id of order) {
    const op = byId.get(id);
    if (op === undefined) return `op ${id} is not in the partition`;
    if (seen.has(id)) return `op ${id} appears twice`;
    seen.add(id);
    // Every op placed earlier was invoked before this one completed.
    if (latestCall > op.ret) return `op ${id} completed before an op placed ahead of it was invoked`;
    latestCall = Math.max(latestCall, op.call);
    const next = model.step(state, op.input, op.output);
    if (next.length === 0) return `op ${id} (${model.describeOperation(op.input, op.output)}) is illegal in state ${model.describeState(state)}`;
    state = next[0];
  }
  const missing = ops.find((o) => o.ret !== Infinity && !seen.has(o.id));
  return missing ? `completed op ${missing.id} is missing` : null;
}
