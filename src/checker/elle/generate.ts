// Synthetic list-append histories from a serial in-memory store: valid by construction, for tests and the benchmark.
import type { Json, Op } from '../../history/op.js';
import { int, seeded } from '../../generator/random.js';

export interface GenerateOptions {
  txns: number;
  seed?: number;
  /** Concurrent client processes (default 10). */
  concurrency?: number;
  /** Keys in use at once (default 8); a key retires after `appendsPerKey` appends and a fresh one takes its place. */
  activeKeys?: number;
  appendsPerKey?: number;
  /** Micro-ops per transaction: 1 to this many (default 4). */
  maxMops?: number;
  /** Chance a completion is fail (not applied) or info (applied or not, the process retires): default 0. */
  failRate?: number;
  infoRate?: number;
}

/**
 * Processes invoke and complete in a random interleaving; each transaction is applied to the store, all at
 * once, at the moment it completes, which lies between its invocation and completion: so the history is
 * strict serializable, and any anomaly a checker reports in it is the checker's bug.
 */
export function generateListAppend(o: GenerateOptions): Op[] {
  const rng = seeded(o.seed ?? 1);
  const concurrency = o.concurrency ?? 10;
  const activeKeys = o.activeKeys ?? 8;
  const appendsPerKey = o.appendsPerKey ?? 32;
  const maxMops = o.maxMops ?? 4;
  const failRate = o.failRate ?? 0;
  const infoRate = o.infoRate ?? 0;
  const store = new Map<number, number[]>();
  const appended = new Map<number, number>();
  let nextKey = activeKeys;
  const active = Array.from({ length: activeKeys }, (_, i) => i);
  const ops: Op[] = [];
  const slots: ({ process: number; mops: Json[][] } | null)[] = new Array(concurrency).fill(null);
  let nextProcess = concurrency;
  const processes = Array.from({ length: concurrency }, (_, i) => i);
  let invoked = 0;
  let open = 0;
  const emit = (op: Omit<Op, 'index' | 'time'>): void => {
    ops.push({ index: ops.length, time: ops.length * 1000, ...op });
  };
  while (invoked < o.txns || open > 0) {
    const s = int(rng, 0, concurrency - 1);
    const slot = slots[s];
    if (slot === null) {
      if (invoked >= o.txns) continue;
      const mops: Json[][] = [];
      const n = int(rng, 1, maxMops);
      for (let i = 0; i < n; i++) {
        const ki = int(rng, 0, active.length - 1);
        const key = active[ki]!;
        if (rng() < 0.5) mops.push(['r', `k${key}`, null]);
        else {
          const v = (appended.get(key) ?? 0) + 1;
          appended.set(key, v);
          mops.push(['append', `k${key}`, v]);
          // Rotate a full key out, so lists (and reads) stay short however long the history runs.
          if (v >= appendsPerKey) active[ki] = nextKey++;
        }
      }
      slots[s] = { process: processes[s]!, mops };
      emit({ process: processes[s]!, type: 'invoke', f: 'txn', value: mops });
      invoked++;
      open++;
      continue;
    }
    const x = rng();
    const type = x < failRate ? 'fail' : x < failRate + infoRate ? 'info' : 'ok';
    const apply = type === 'ok' || (type === 'info' && rng() < 0.5);
    const out: Json[][] = slot.mops.map((m) => {
      const key = Number(String(m[1]).slice(1));
      if (m[0] === 'r') return apply ? ['r', m[1]!, [...(store.get(key) ?? [])]] : m;
      if (apply) {
        const l = store.get(key) ?? [];
        l.push(m[2] as number);
        store.set(key, l);
      }
      return m;
    });
    emit({ process: slot.process, type, f: 'txn', value: type === 'ok' ? out : slot.mops });
    // After info the process may still be running the transaction: it never issues again (a new process id).
    if (type === 'info') processes[s] = nextProcess++;
    slots[s] = null;
    open--;
  }
  return ops;
}
