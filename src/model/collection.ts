// Canonical text of sets and multisets of JSON values: what the set and queue models keep as their state.
import type { Json } from '../history/op.js';
import { ModelInputError } from './model.js';
import { canonical } from './values.js';

/**
 * A collection state is the JSON text of an array of canonical element texts: sorted for sets and
 * multisets (so equal collections are equal strings, compared with `===`), in order for a FIFO queue.
 */
export function encode(elements: readonly string[]): string {
  return JSON.stringify(elements);
}

export function decode(state: string): string[] {
  return JSON.parse(state) as string[];
}

/** A history value that must be a collection (EDN set, vector or list: all arrays by then). */
export function elements(v: Json | undefined, what: string): string[] {
  if (!Array.isArray(v)) throw new ModelInputError(`${what} must be a collection like #{1 2} or [1 2], got ${JSON.stringify(v ?? null)}`);
  return v.map(canonical);
}

/** Sorted, duplicates kept. */
export function sorted(xs: readonly string[]): string[] {
  return [...xs].sort();
}

/** Sorted, duplicates dropped. */
export function sortedUnique(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}

/** Inserts x into a sorted array, keeping it sorted (a copy). */
export function insertSorted(xs: readonly string[], x: string): string[] {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return [...xs.slice(0, lo), x, ...xs.slice(lo)];
}

/** `{1, 2}`-style text for descriptions. */
export function describeCollection(state: string, open = '{', close = '}'): string {
  return open + decode(state).join(', ') + close;
}
