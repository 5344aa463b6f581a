// Lookahead pruning from model pins: drop a branch once its state can no longer reach a pending read's value.
import type { AnyModel, Operation } from '../model/model.js';
import { Arena } from './arena.js';
import type { EntryList } from './entries.js';
import type { StateTable } from './states.js';

/** How many candidate calls past the first pending return the reachability check looks at. */
const LOOKAHEAD = 32;
/** How many entries the dead-state scan may walk before giving up (giving up only costs sharing). */
const DEAD_SCAN = 512;

export const PRUNE = -1;
export const LIVE = 0;
export const DEAD = 1;

export interface Pins {
  /** State id standing for every dead state (one-group models), or -1. */
  readonly dead: number;
  isReset(op: number): boolean;
  isPinned(op: number): boolean;
  /** Bookkeeping when op is taken into / removed from the linearization. */
  take(op: number): void;
  untake(op: number): void;
  /** The state standing for `s` once `op`'s group is found dead in it. */
  collapse(s: number, op: number): number;
  /** After taking `op` into state `s`: PRUNE (no extension can work), DEAD (s may be collapsed), or LIVE. */
  judge(s: number, op: number, list: EntryList): number;
}

/**
 * Why pruning is sound. A pinned op G (a completed read that saw v) must take effect while the state is
 * v. Every op taken so far was invoked before the first pending return, hence before G returned. If
 * every reset (write, put, successful cas) invoked before G returned is already taken, whatever happens
 * between now and G is non-resetting; so if non-resetting ops cannot lead from the current state to one
 * G accepts (`canReach`), no extension of this branch can place G, and the branch is dead now rather
 * than after exploring every interleaving of the ops in between.
 *
 * Why dead states may be merged (models with `deadState`). Let R be the pending reset that returns
 * first. No op invoked after R returned can take effect before R, so until R (or another reset) the
 * only pinned ops that can be placed are those invoked before R returned, which are all in the list
 * before R's return entry. If none of them can be reached from state s, none can be placed until a
 * reset, and by the model's promise every dead state behaves the same until then.
 *
 * `opGroup[i]`: op i's group (`model.group` of its input, 0 without one), as the search already holds it.
 */
export function preparePins(model: AnyModel, ops: readonly Operation[], table: StateTable, opGroup: Int32Array, arena = new Arena()): Pins | null {
  const { pin, resets, canReach } = model;
  if (!pin || !resets || !canReach) return null;
  const n = ops.length;
  const pinValue: unknown[] = new Array(n);
  const pinGroup = arena.i32(n).fill(-1);
  const resetGroup = arena.i32(n).fill(-1);
  let groups = 0;
  const values: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const g = opGroup[i];
    groups = Math.max(groups, g + 1);
    if (resets.call(model, ops[i].input, ops[i].output)) resetGroup[i] = g;
    if (ops[i].ret === Infinity) continue;
    const p = pin.call(model, ops[i].input, ops[i].output);
    if (p !== undefined) {
      pinValue[i] = p;
      pinGroup[i] = g;
      values.push(p);
    }
  }
  if (values.length === 0) return null;

  // resetsBefore[i]: resets of i's group, other than i, invoked before pinned op i returned.
  const callsByGroup = emptyLists<number>(groups);
  for (let i = 0; i < n; i++) if (resetGroup[i] >= 0) callsByGroup[resetGroup[i]].push(ops[i].call);
  for (const c of callsByGroup) c.sort((a, b) => a - b);
  const resetsBefore = arena.i32(n);
  for (let i = 0; i < n; i++) {
    const g = pinGroup[i];
    if (g < 0) continue;
    resetsBefore[i] = countBelow(callsByGroup[g], ops[i].ret) - (resetGroup[i] === g ? 1 : 0);
  }
  const taken = arena.i32(groups);
  const states = table.states;
  const deadState = model.deadState;
  const pinsOf = emptyLists<unknown>(groups);
  for (let i = 0; i < n; i++) if (pinGroup[i] >= 0) pinsOf[pinGroup[i]].push(pinValue[i]);
  // With one group the dead state is one fixed state; with several, only one group's part dies, so
  // each collapse is a state of its own (memoized per state and group).
  const single = groups === 1;
  const scanLimit = DEAD_SCAN;
  const dead = deadState && single ? table.intern(deadState.call(model, values, undefined, 0)) : -1;
  const collapsed = new Map<number, number>();

  return {
    dead,
    isReset: (op) => resetGroup[op] >= 0,
    isPinned: (op) => pinGroup[op] >= 0,
    take(op) {
      const g = resetGroup[op];
      if (g >= 0) taken[g]++;
    },
    untake(op) {
      const g = resetGroup[op];
      if (g >= 0) taken[g]--;
    },
    collapse(s, op) {
      if (single) return dead;
      const g = opGroup[op];
      const k = s * groups + g;
      let c = collapsed.get(k);
      if (c === undefined) collapsed.set(k, (c = table.intern(deadState!.call(model, pinsOf[g], states[s], g))));
      return c;
    },
    judge(s, op, list) {
      const { next, head } = list;
      const state = states[s];
      const gOp = opGroup[op];
      let past = 0; // candidates looked at past the first pending return
      let steps = 0;
      // Is op's group dead in s? Unknown until the horizon is reached or a reachable pin is found.
      let deadness = deadState !== undefined && !(single && s === dead) ? ACTIVE : NO;
      for (let x = next[head]; x !== head; x = next[x]) {
        const g = x >> 1;
        if ((x & 1) === 1) {
          if (past === 0) past = 1;
          // The first pending return of a reset of the group ends the dead-state argument's horizon.
          if (resetGroup[g] === gOp && g !== op) {
            if (deadness === ACTIVE) deadness = YES;
            if (single) break;
          }
          continue;
        }
        if (++steps > scanLimit) break;
        const grp = pinGroup[g];
        if (grp >= 0 && g !== op) {
          const mustReach = past <= LOOKAHEAD && resetsBefore[g] === taken[grp];
          const deadCheck = deadness === ACTIVE && grp === gOp;
          if (mustReach || deadCheck) {
            const reach = canReach.call(model, state, pinValue[g]);
            if (!reach && mustReach) return PRUNE;
            if (reach && deadCheck) deadness = NO;
          }
        }
        if (past > 0) past++;
        if (deadness !== ACTIVE && past > LOOKAHEAD) break;
      }
      // Walking off the end of the list also reaches the horizon; giving up on a long scan does not.
      return deadness === YES || (deadness === ACTIVE && steps <= scanLimit) ? DEAD : LIVE;
    },
  };
}

/** `n` empty arrays; Array.from over `{ length }` was a tenth of a small partition's set-up. */
function emptyLists<T>(n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push([]);
  return out;
}

const ACTIVE = 0;
const YES = 1;
const NO = 2;

function countBelow(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
