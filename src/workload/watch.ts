// The watch workload (etcd's robustness watch guarantees): writers put/delete keys under watch/, watchers stream
// the prefix from a revision and resume from the last revision they saw + 1.
import type { DrawnOp } from '../generator/generator.js';
import { int, type Random } from '../generator/random.js';
import { WATCH_PREFIX } from '../client/etcd-watch.js';
import type { Completion, Json } from '../history/op.js';
import type { FinalRead, Workload } from './workload.js';

export interface WatchWorkloadOptions {
  /** Unused (the registry passes every workload the register's options). */
  valueRange?: number;
  /** Keys written (default 5): few, so puts overwrite and deletes hit, and prevKV / isCreate are tested. */
  keys?: number;
}

/** The range every watcher watches; the client records writes under it with their revision (src/client/etcd-watch.ts). */
export { WATCH_PREFIX };

/** The one key noted for the final reads: one final watch per node, of the whole prefix from revision 1. */
const FINAL_KEY = 'watch';

/**
 * Recorded as watch.ts reads it: `{"f":"put","key":"watch/k1","value":3}` completing `{"rev":5}`,
 * `{"f":"delete","key":"watch/k1"}`, and `{"f":"watch","value":{"watcher":"w2","key":"watch/","prefix":true,
 * "startRev":6,"prevKV":true}}` completing with every response received. Put values count up across the
 * run, so every put writes a value no other put wrote: an event names exactly one write.
 *
 * Each worker is also a watcher (`w<worker>`): when it draws a watch, the watch starts at the revision after
 * the last event that watcher saw (1 at first: the whole history), so every watch but the first of each
 * watcher is a resumption, and the checker's resumable/unique/ordered guarantees span its streams. The
 * last revision is learnt from the completions (OpSource.completed); a worker draws its next op only after
 * its previous one completed, so the start is always the one the guarantee speaks of.
 */
export function watchWorkload(o: WatchWorkloadOptions = {}): Workload {
  const keys = o.keys ?? 5;
  let next = 0;
  const lastRev = new Map<number, number>();
  return {
    name: 'watch',
    model: 'watch',
    initial: null,
    fs: ['put', 'delete', 'watch'],
    readF: 'watch',
    // A watch lasts a window of about a second (the client's), a write some milliseconds: one watch per
    // ~50 writes keeps about half the workers watching while the others write.
    defaultMix: { put: 40, delete: 8, watch: 1 },
    value(f: string, _rng: Random, ctx): Json {
      switch (f) {
        case 'put':
          return next++;
        case 'delete':
          return null;
        case 'watch':
          return { watcher: `w${ctx.worker}`, key: WATCH_PREFIX, prefix: true, startRev: (lastRev.get(ctx.worker) ?? 0) + 1, prevKV: true };
        default:
          throw new Error(`watch workload has no operation "${f}" (it has put, delete, watch)`);
      }
    },
    keyOf(f: string, rng: Random): string | undefined {
      return f === 'watch' ? undefined : `${WATCH_PREFIX}k${int(rng, 0, keys - 1)}`;
    },
    keysOf(): string[] {
      return [FINAL_KEY];
    },
    completed(worker: number, op: DrawnOp, c: Completion): void {
      if (op.f !== 'watch' || c.value === null || typeof c.value !== 'object' || Array.isArray(c.value)) return;
      const responses = c.value['responses'];
      if (!Array.isArray(responses)) return;
      let last = lastRev.get(worker) ?? 0;
      for (const r of responses) for (const e of Array.isArray(r) ? r : []) if (e && typeof e === 'object' && !Array.isArray(e) && typeof e['rev'] === 'number') last = Math.max(last, e['rev']);
      lastRev.set(worker, last);
    },
    finalRead(): FinalRead {
      // No `watcher`: the checker names the stream after its process, one per node, so each node's final
      // watch is a watcher of its own that must deliver the whole history.
      return { f: 'watch', value: { key: WATCH_PREFIX, prefix: true, startRev: 1, prevKV: true } };
    },
  };
}
