// Pairs a history's invocations with their completions into the operations a model checks (Jepsen semantics).
import { isNemesisOp, type Op } from '../history/op.js';
import { FaultlineError, EXIT } from '../util/errors.js';
import { ModelInputError, type AnyModel, type Operation } from '../model/model.js';

/** Names a history position in messages: `FILE:LINE` from the CLI, `op N` by default. */
export type Where = (position: number) => string;

const defaultWhere: Where = (i) => `history op ${i}`;

/**
 * Turns the history into operations, in invocation order:
 *  - `ok` completes the process's open invocation; `fail` removes it (it certainly did not happen);
 *  - `info`, and invocations still open at the end, have an unknown outcome: `ret` = +Infinity;
 *  - after an `info`, a process that invokes again is treated as a fresh logical process (Jepsen would
 *    have given it a new id; imported logs do not always), so its earlier op stays open forever;
 *  - nemesis ops are not client operations and are skipped.
 * `call`/`ret` are history positions: the history's order is its real-time order, and positions never
 * tie, unlike timestamps from a coarse clock.
 */
export function toOperations(history: readonly Op[], model: AnyModel, where: Where = defaultWhere): Operation[] {
  const open = new Map<number | string, number>(); // process -> position of its open invocation
  const ops: (Operation | undefined)[] = [];
  const slot = new Map<number, number>(); // position of invocation -> index in ops
  const bad = (i: number, msg: string): never => {
    throw new FaultlineError(`${where(i)}: ${msg}`, EXIT.usage);
  };
  const convert = (inv: number, completion: Op | undefined, at: number): Operation => {
    const invoke = history[inv];
    try {
      const { input, output } = model.operation(invoke, completion);
      const op: Operation = { id: invoke.index, process: invoke.process, call: inv, ret: completion ? at : Infinity, input, output };
      if (invoke.key !== undefined) op.key = invoke.key;
      return op;
    } catch (e) {
      if (e instanceof ModelInputError) return bad(completion ? at : inv, e.message);
      throw e;
    }
  };
  for (let i = 0; i < history.length; i++) {
    const op = history[i];
    if (isNemesisOp(op)) continue;
    const pending = open.get(op.process);
    if (op.type === 'invoke') {
      if (pending !== undefined) bad(i, `process ${op.process} invokes ${op.f} while its ${history[pending].f} from ${where(pending)} is still open`);
      open.set(op.process, i);
      slot.set(i, ops.length);
      ops.push(undefined);
      continue;
    }
    if (pending === undefined) bad(i, `${op.type} ${op.f} for process ${op.process}, which has no open invocation`);
    const inv = pending as number;
    if (history[inv].f !== op.f) bad(i, `${op.type} ${op.f} completes process ${op.process}'s ${history[inv].f} from ${where(inv)}`);
    open.delete(op.process);
    const at = slot.get(inv)!;
    if (op.type === 'ok') ops[at] = convert(inv, op, i);
    else if (op.type === 'info') ops[at] = convert(inv, undefined, i);
    // fail: dropped; its slot stays empty.
  }
  for (const inv of open.values()) ops[slot.get(inv)!] = convert(inv, undefined, inv);
  return ops.filter((o): o is Operation => o !== undefined);
}
