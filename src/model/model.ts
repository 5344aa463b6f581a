// The Model type: a sequential specification as plain data plus pure functions (Porcupine's shape).
import type { Op } from '../history/op.js';

/**
 * One operation as the checker sees it: an invocation paired with its completion. `call` and `ret` are
 * positions in the history (its real-time order); `ret` is +Infinity when the outcome is unknown (`info`, or
 * still open at the end), because such an operation may take effect at any time after its call, or never.
 */
export interface Operation<I = unknown, O = unknown> {
  /** `index` of the invocation in the history: the id reports use. */
  id: number;
  process: number | string;
  call: number;
  ret: number;
  key?: string;
  input: I;
  /** `undefined` = unknown outcome. */
  output: O | undefined;
}

/** How to build a model by name, so a worker thread can rebuild the same model (functions cannot cross threads). */
export interface ModelSpec {
  name: string;
  /** Initial value of every register (JSON); model default when absent. */
  initial?: unknown;
  /** false: check all keys as one map-valued state instead of one partition per key. */
  partition?: boolean;
  /** What a completed read of `null` means; default 'absent'. See NilRead. */
  nilRead?: NilRead;
}

/**
 * What a read that completed with `null` (EDN `nil`) tells: 'absent' = it read the absent value (our JSONL,
 * where a client records what it saw); 'any' = nothing, it is legal in every state (Knossos's register
 * models, so Jepsen/Knossos EDN histories get Knossos's verdict). Applies to register, cas-register,
 * multi-register and kv reads; set reads and dequeues have no such rule in Knossos either.
 */
export type NilRead = 'any' | 'absent';

/** Options every model constructor takes (each uses those that apply to it). */
export interface ModelOptions {
  initial?: unknown;
  nilRead?: NilRead;
}

/**
 * A sequential specification. Methods use method syntax on purpose: TypeScript checks method parameters
 * bivariantly, so a `Model<string, KvInput, string>` can be passed where a `Model` of unknowns is expected.
 */
export interface Model<S = unknown, I = unknown, O = unknown, P = unknown> {
  name: string;
  /** Present when the model can be rebuilt from it by `createModel` (enables worker threads). */
  spec?: ModelSpec;
  /** Set when `step` may return several states; the checker then searches over sets of states. */
  nondeterministic?: boolean;
  init(): S;
  /**
   * The model's reading of one history operation. `completion` is undefined for an unknown outcome.
   * Throws `ModelInputError` for operations the model does not understand.
   */
  operation(invoke: Op, completion: Op | undefined): { input: I; output: O | undefined };
  /** All states the op can lead to from `state`; empty = illegal. `output` undefined = unknown outcome. */
  step(state: S, input: I, output: O | undefined): readonly S[];
  equal(a: S, b: S): boolean;
  hash(state: S): number;
  /** Independent sub-histories (P-compositionality). Default: one partition per `key`. */
  partition?(ops: Operation<I, O>[]): Operation<I, O>[][];
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
  /**
   * Whether the op is legal in every state and leaves its group's part of the state independent of what
   * it was before (a write, a put). Lets the search skip linearizations where an unknown-outcome op is immediately
   * overwritten, since the same one without it is explored anyway.
   */
  blind?(input: I, output: O | undefined): boolean;
  /**
   * Whether the completed op never changes the state: in every state it is either illegal or leaves the
   * state as it was (a read, a failed cas). Such an op that is legal now can be taken at once with no
   * alternative tried: any linearization that places it later stays valid with it moved here, since
   * nothing it could precede has returned yet. Deterministic models only (powerset drops it).
   */
  readOnly?(input: I, output: O | undefined): boolean;
  /** Identity of an input, so the checker can treat identical unknown-outcome ops as interchangeable. */
  inputKey?(input: I): string;

  // Optional pruning hints. They let the search discard a branch as soon as the state can no longer
  // reach what a pending read observed. All four must be given together, and must be sound.
  /** The state the op requires just before it (a read's value), if it pins one. */
  pin?(input: I, output: O | undefined): P | undefined;
  /** Whether the op may move the state somewhere `canReach` does not account for (a write). */
  resets?(input: I, output: O | undefined): boolean;
  /** Whether ops that do not reset can lead from `state` to one that satisfies `pin`. */
  canReach?(state: S, pin: P): boolean;
  /** Pins and resets interact only within a group (e.g. one key of a map-valued state). Default 0. */
  group?(input: I): number;
  /**
   * `state` with group `group`'s part made "dead": unable to reach any of `pins` (that group's pins).
   * Giving it declares that all such states are interchangeable until the group's next reset: ops of
   * the group that neither pin nor reset are legal in any state and keep a dead part dead, a pinned op
   * is illegal in a dead part, and a reset's result does not depend on which dead part it starts from.
   * The search then merges all of them, so the order of, say, appends a later put erases stops
   * mattering. One-group models may ignore `state` and `group`.
   */
  deadState?(pins: readonly P[], state: S | undefined, group: number): S;
}

/** Any model, with its types erased: what the checker and the registry pass around. */
export type AnyModel = Model<unknown, unknown, unknown, unknown>;

/** An operation a model cannot interpret (unknown `f`, wrong value shape): becomes `FILE:LINE: message`. */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
}

/** Default partitioning: by `key`, in natural key order; operations without a key form one partition. */
export function partitionByKey<I, O>(ops: Operation<I, O>[]): Operation<I, O>[][] {
  const byKey = new Map<string | undefined, Operation<I, O>[]>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const keys = [...byKey.keys()].sort(compareKeys);
  return keys.map((k) => byKey.get(k)!);
}

/** Numeric-aware key order ("2" before "10"), undefined first: stable, readable output. */
export function compareKeys(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  // Keys that are whole numbers written plainly (most are) compare as the collator would, without it: its
  // compare was a tenth of a 37-op, 4-key check.
  if (PLAIN_NUMBER.test(a) && PLAIN_NUMBER.test(b)) return Number(a) - Number(b);
  return (keyCollator ??= new Intl.Collator('en', { numeric: true })).compare(a, b);
}

const PLAIN_NUMBER = /^(?:0|[1-9][0-9]{0,14})$/;

// One collator: `localeCompare` with options builds a new one per call (measured: 45 µs of a 3-key check).
let keyCollator: Intl.Collator | undefined;
