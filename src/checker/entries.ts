// The doubly linked list of call and return entries that the search lifts operations out of.
import { Arena } from './arena.js';

/**
 * Entry ids: the call of op i is 2i, its return 2i+1. Node `2n` is the head sentinel; the list is
 * circular, so `next[last] === head`. Ops whose outcome is unknown have no return entry at all: they may
 * take effect at any time after their call, or never, so nothing forces them to be linearized.
 */
export interface EntryList {
  head: number;
  next: Int32Array;
  prev: Int32Array;
}

/** Builds the list in real-time order: `call[i]` and `ret[i]` are history positions (ret = Infinity for unknown). */
export function buildEntries(call: ArrayLike<number>, ret: ArrayLike<number>, arena = new Arena()): EntryList {
  const n = call.length;
  const head = 2 * n;
  const order = entryOrder(call, ret, arena);
  const next = arena.i32(head + 1).fill(-1);
  const prev = arena.i32(head + 1).fill(-1);
  let last = head;
  for (let k = 0; k < order.length; k++) {
    const id = order[k];
    next[last] = id;
    prev[id] = last;
    last = id;
  }
  next[last] = head;
  prev[head] = last;
  return { head, next, prev };
}

const ID_SPACE = 2 ** 22;

/**
 * The entry ids (call 2i, return 2i+1) by history position. History positions are distinct, so there
 * are no ties to break: a call at position p precedes a return at q > p, which is exactly "the op was
 * invoked before the other one completed". Three ways, cheapest first:
 *  - whole positions in a range of at most a few times the entry count (a history's own positions) are
 *    placed by position, in linear time;
 *  - otherwise each entry is packed as position * 2^22 + id, so a numeric sort of a typed array (no
 *    comparator, several times faster) orders them; exact for ids below 2^22 and whole positions in
 *    [0, 2^31);
 *  - anything else (and ties, which placing by position would lose) takes a comparator sort.
 */
function entryOrder(call: ArrayLike<number>, ret: ArrayLike<number>, arena: Arena): Int32Array {
  const n = call.length;
  let m = 0;
  let packable = 2 * n < ID_SPACE;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const c = call[i];
    const r = ret[i] !== Infinity ? ret[i] : c;
    m += ret[i] !== Infinity ? 2 : 1;
    if (!(c >= 0 && c < 2 ** 31 && r >= 0 && r < 2 ** 31 && c % 1 === 0 && r % 1 === 0)) packable = false;
    lo = Math.min(lo, c, r);
    hi = Math.max(hi, c, r);
  }
  if (packable && m > 0 && hi - lo <= 4 * m + 64) {
    const at = arena.i32(hi - lo + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      at[call[i] - lo] = 2 * i;
      if (ret[i] !== Infinity) at[ret[i] - lo] = 2 * i + 1;
    }
    const order = arena.i32(m);
    let k = 0;
    for (let p = 0; p < at.length; p++) if (at[p] >= 0) order[k++] = at[p];
    if (k === m) return order;
  }
  const order = arena.i32(m);
  if (packable) {
    const keys = arena.f64(m);
    let k = 0;
    for (let i = 0; i < n; i++) {
      keys[k++] = call[i] * ID_SPACE + 2 * i;
      if (ret[i] !== Infinity) keys[k++] = ret[i] * ID_SPACE + 2 * i + 1;
    }
    keys.sort();
    for (let j = 0; j < m; j++) order[j] = keys[j] % ID_SPACE;
    return order;
  }
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(2 * i);
    if (ret[i] !== Infinity) ids.push(2 * i + 1);
  }
  const time = (id: number): number => (id & 1 ? ret[id >> 1] : call[id >> 1]);
  ids.sort((a, b) => time(a) - time(b));
  order.set(ids);
  return order;
}

/** Removes op i's call and (if any) return from the list; `unlift` restores them exactly. */
export function lift(list: EntryList, op: number, hasReturn: boolean): void {
  const { next, prev } = list;
  let e = 2 * op;
  next[prev[e]] = next[e];
  prev[next[e]] = prev[e];
  if (hasReturn) {
    e++;
    next[prev[e]] = next[e];
    prev[next[e]] = prev[e];
  }
}

/** Reinserts in the reverse order of removal, which is what makes the neighbours' links valid again. */
export function unlift(list: EntryList, op: number, hasReturn: boolean): void {
  const { next, prev } = list;
  if (hasReturn) {
    const r = 2 * op + 1;
    next[prev[r]] = r;
    prev[next[r]] = r;
  }
  const c = 2 * op;
  next[prev[c]] = c;
  prev[next[c]] = c;
}
