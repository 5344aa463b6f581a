// Pairs a history's invocations with their completions into the operations a model checks (Jepsen semantics).
import { NEMESIS, type Op } from '../history/op.js';
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
  // process -> slot of its open invocation; slots are in invocation order, and hold the invocation's
  // position until the op is complete (then the Operation), or -1 once it failed.
  const open = new OpenSlots();
  const invokedAt: number[] = [];
  const ops: (Operation | null)[] = [];
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
    const process = op.process;
    if (process === NEMESIS) continue;
    const slot = open.get(process);
    if (op.type === 'invoke') {
      if (slot !== undefined) bad(i, `process ${process} invokes ${op.f} while its ${history[invokedAt[slot]].f} from ${where(invokedAt[slot])} is still open`);
      open.set(process, ops.length);
      invokedAt.push(i);
      ops.push(null);
      continue;
    }
    if (slot === undefined) return bad(i, `${op.type} ${op.f} for process ${process}, which has no open invocation`);
    const inv = invokedAt[slot];
    if (history[inv].f !== op.f) bad(i, `${op.type} ${op.f} completes process ${process}'s ${history[inv].f} from ${where(inv)}`);
    open.delete(process);
    if (op.type === 'ok') ops[slot] = convert(inv, op, i);
    else if (op.type === 'info') ops[slot] = convert(inv, undefined, i);
    else invokedAt[slot] = -1; // fail: certainly did not happen; dropped
  }
  for (const slot of open.values()) ops[slot] = convert(invokedAt[slot], undefined, invokedAt[slot]);
  const out: Operation[] = [];
  for (let i = 0; i < ops.length; i++) if (ops[i] !== null) out.push(ops[i]!);
  return out;
}

/**
 * process -> slot, as a Map would hold it; processes that are small whole numbers (nearly all) live in an
 * array: preparing h039 of the cas set (1,362 ops, pairing and partitions) took 60-70 µs instead of 83-96.
 */
class OpenSlots {
  private readonly small: number[] = [];
  private readonly other = new Map<number | string, number>();

  get(process: number | string): number | undefined {
    if (indexable(process)) {
      const s = this.small[process];
      return s === undefined || s < 0 ? undefined : s;
    }
    return this.other.get(process);
  }

  set(process: number | string, slot: number): void {
    if (indexable(process)) {
      while (this.small.length < process) this.small.push(-1);
      this.small[process] = slot;
    } else this.other.set(process, slot);
  }

  delete(process: number | string): void {
    if (indexable(process)) this.small[process] = -1;
    else this.other.delete(process);
  }

  /** Slots still open, in no particular order. */
  values(): number[] {
    return [...this.small.filter((s) => s >= 0), ...this.other.values()];
  }
}

/** Process ids below this are array-indexed. */
const SMALL = 1 << 16;

const indexable = (process: number | string): process is number => typeof process === 'number' && process >= 0 && process < SMALL && process % 1 === 0;
