// The list-append workload (Jepsen's, for Elle): txns of 1–4 appends and whole-list reads over a few rotating keys.
import type { Json } from '../history/op.js';
import { int, type Random } from '../generator/random.js';
import type { FinalRead, Workload } from './workload.js';

export interface ListAppendOptions {
  /** Unused (the registry passes every workload the register's options). */
  valueRange?: number;
  /** Keys in play at once (default 5): few enough that txns collide, which is what finds anomalies. */
  activeKeys?: number;
  /**
   * Appends a key takes before it is retired for a fresh one (default 32), as Jepsen's max-writes-per-key:
   * lists stay short, so reads stay cheap and every key's version order stays easy to infer.
   */
  appendsPerKey?: number;
  /** Micro-ops per txn, at most (default 4). */
  maxTxnLength?: number;
}

/**
 * Recorded as Jepsen records it: `{"f":"txn","value":[["append","k1",3],["r","k2",null]]}`, the completion's
 * reads filled in. Elements count up per key (1, 2, 3 ... on k1), so each is unique on its key whatever the
 * txn's fate: the checker infers who wrote what from that. The key rotation lives here, not in the
 * generator's KeyPlan, because one txn spans several keys; which key retires first depends on how fast
 * appends land, as with Jepsen's independent keys.
 */
export function listAppendWorkload(o: ListAppendOptions = {}): Workload {
  const activeKeys = o.activeKeys ?? 5;
  const appendsPerKey = o.appendsPerKey ?? 32;
  const maxLength = o.maxTxnLength ?? 4;
  const active = Array.from({ length: activeKeys }, (_, i) => i);
  let nextKey = activeKeys;
  const appended = new Map<number, number>();

  const append = (slot: number): Json => {
    const k = active[slot]!;
    const n = (appended.get(k) ?? 0) + 1;
    appended.set(k, n);
    if (n >= appendsPerKey) {
      appended.delete(k);
      active[slot] = nextKey++;
    }
    return ['append', `k${k}`, n];
  };

  return {
    name: 'list-append',
    model: 'list-append',
    initial: null,
    fs: ['txn'],
    readF: 'txn',
    defaultMix: { txn: 1 },
    value(f: string, rng: Random): Json {
      if (f !== 'txn') throw new Error(`list-append workload has no operation "${f}" (it has txn)`);
      const length = int(rng, 1, maxLength);
      const mops: Json[] = [];
      for (let i = 0; i < length; i++) {
        const slot = int(rng, 0, activeKeys - 1);
        mops.push(rng() < 0.5 ? append(slot) : ['r', `k${active[slot]!}`, null]);
      }
      return mops;
    },
    keysOf(value: Json): string[] {
      return (value as Json[][]).map((m) => m[1] as string);
    },
    finalRead(key: string): FinalRead {
      return { f: 'txn', value: [['r', key, null]] };
    },
  };
}
