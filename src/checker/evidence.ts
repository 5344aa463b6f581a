// Turns the search's integer bookkeeping into evidence a report can draw: ops, descriptions, states.
import type { AnyModel, Operation } from '../model/model.js';
import type { LinearizedStep, Stuck } from './result.js';
import { ILLEGAL, type StateTable } from './states.js';

/** Largest number of candidates listed; a window wider than this is summarized by its first ones. */
const MAX_CANDIDATES = 100;

/** `order[0..depth)` are op indices in linearization order, `after[d]` the state id after order[d]. */
export function describePrefix(model: AnyModel, ops: readonly Operation[], table: StateTable, order: Int32Array, after: Int32Array, depth: number): LinearizedStep[] {
  const out: LinearizedStep[] = new Array(depth);
  const described = new Map<number, string>();
  for (let d = 0; d < depth; d++) {
    const op = ops[order[d]];
    const s = after[d];
    let text = described.get(s);
    if (text === undefined) described.set(s, (text = model.describeState(table.states[s])));
    out[d] = { op: op.id, description: model.describeOperation(op.input, op.output), state: text };
  }
  return out;
}

/**
 * Replays the longest prefix's configuration: the ops taken are `order[0..depth)`, the state `state`.
 * The candidates are the ops not taken that were invoked before the earliest pending completion.
 */
export function describeStuck(model: AnyModel, ops: readonly Operation[], table: StateTable, order: Int32Array, depth: number, state: number): Stuck {
  const taken = new Uint8Array(ops.length);
  for (let d = 0; d < depth; d++) taken[order[d]] = 1;
  let frontier = -1;
  for (let i = 0; i < ops.length; i++) {
    if (taken[i] || ops[i].ret === Infinity) continue;
    if (frontier < 0 || ops[i].ret < ops[frontier].ret) frontier = i;
  }
  const bound = frontier < 0 ? Infinity : ops[frontier].ret;
  const candidates: Stuck['candidates'] = [];
  for (let i = 0; i < ops.length && candidates.length < MAX_CANDIDATES; i++) {
    if (taken[i] || ops[i].call > bound) continue;
    candidates.push({ op: ops[i].id, description: model.describeOperation(ops[i].input, ops[i].output), legal: table.step(state, i) !== ILLEGAL });
  }
  return { state: model.describeState(table.states[state]), frontier: frontier < 0 ? null : ops[frontier].id, candidates };
}
