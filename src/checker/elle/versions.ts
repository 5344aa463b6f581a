// What a list-append history says about each key: who appended each element, who read what, the version order.
import { usageError } from '../../util/errors.js';
import type { Elem, Txn } from './txn.js';

/** One read micro-op of an ok transaction. */
export interface Read {
  txn: number;
  value: Elem[];
  /** External: no append to this key earlier in the same transaction, so it shows what others wrote. */
  ext: boolean;
  /** The read is a prefix of the key's version order (false: incompatible-order). */
  prefix: boolean;
}

export interface KeyFacts {
  key: string;
  /** Element → the transaction that appended it (ok, info or fail). */
  writer: Map<Elem, number>;
  /** Elements a transaction appended to this key and then appended after, within the same transaction. */
  intermediate: Set<Elem>;
  reads: Read[];
  /**
   * The version order: the longest ok read. Lists only grow, so every other read must be a prefix of it;
   * positions index its first occurrence of each element.
   */
  order: Elem[];
  position: Map<Elem, number>;
  /** The transaction whose read is `order` (-1 if the key was never read). */
  longestBy: number;
  /** Some read is not a prefix of `order`: inference beyond wr edges is skipped for this key. */
  incompatible: boolean;
  /**
   * Appends of ok transactions that no read saw. Committed, so they are in the key's final list, and not in
   * the longest read, so they come after everything read: their writers follow the last element's writer.
   */
  unread: { txn: number; value: Elem }[];
}

export function inferKeys(txns: readonly Txn[]): Map<string, KeyFacts> {
  const keys = new Map<string, KeyFacts>();
  const facts = (key: string): KeyFacts => {
    let f = keys.get(key);
    if (!f) {
      f = { key, writer: new Map(), intermediate: new Set(), reads: [], order: [], position: new Map(), longestBy: -1, incompatible: false, unread: [] };
      keys.set(key, f);
    }
    return f;
  };
  for (const t of txns) {
    // Keys this transaction has appended to so far, with its latest element there.
    const last = new Map<string, Elem>();
    for (const m of t.mops) {
      const f = facts(m.key);
      if (m.f === 'append') {
        const other = f.writer.get(m.value);
        if (other !== undefined) {
          throw usageError(`key ${m.key}: element ${String(m.value)} is appended by op ${txns[other]!.invoke} and op ${t.invoke}; list-append needs elements unique per key`);
        }
        f.writer.set(m.value, t.id);
        const prev = last.get(m.key);
        if (prev !== undefined) f.intermediate.add(prev);
        last.set(m.key, m.value);
      } else if (t.type === 'ok' && m.value !== null) {
        f.reads.push({ txn: t.id, value: m.value, ext: !last.has(m.key), prefix: true });
      }
    }
  }
  for (const f of keys.values()) {
    let longest: Read | undefined;
    for (const r of f.reads) if (!longest || r.value.length > longest.value.length) longest = r;
    if (longest) {
      f.order = longest.value;
      f.longestBy = longest.txn;
    }
    for (let i = f.order.length - 1; i >= 0; i--) f.position.set(f.order[i]!, i);
    for (const r of f.reads) {
      r.prefix = isPrefix(r.value, f.order);
      if (!r.prefix) f.incompatible = true;
    }
    for (const [value, txn] of f.writer) if (!f.position.has(value) && txns[txn]!.type === 'ok') f.unread.push({ txn, value });
  }
  return keys;
}

function isPrefix(a: readonly Elem[], b: readonly Elem[]): boolean {
  if (a === b) return true;
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
