// The doubly linked list of call and return entries that the search lifts operations out of.

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
export function buildEntries(call: ArrayLike<number>, ret: ArrayLike<number>): EntryList {
  const n = call.length;
  const head = 2 * n;
  const ids: number[] = [];
  const time: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(2 * i);
    time[2 * i] = call[i];
    if (ret[i] !== Infinity) {
      ids.push(2 * i + 1);
      time[2 * i + 1] = ret[i];
    }
  }
  // History positions are distinct, so there are no ties to break: a call at position p precedes a
  // return at q > p, which is exactly "the op was invoked before the other one completed".
  ids.sort((a, b) => time[a] - time[b]);
  const next = new Int32Array(head + 1).fill(-1);
  const prev = new Int32Array(head + 1).fill(-1);
  let last = head;
  for (const id of ids) {
    next[last] = id;
    prev[id] = last;
    last = id;
  }
  next[last] = head;
  prev[head] = last;
  return { head, next, prev };
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
