// Final reads: after healing and recovery, read every key used on every node, so a lost or divergent write shows.
import type { Client } from '../client/client.js';
import type { Workload } from '../workload/workload.js';
import type { HistoryRecorder } from './recorder.js';

/** A node that failed this many reads in a row is given up (a dead node would otherwise cost timeout × keys). */
const GIVE_UP_AFTER = 3;

export interface FinalReadResult {
  node: string;
  ok: number;
  failed: number;
  gaveUp: boolean;
}

/**
 * One process per node (ids from `firstProcess`), nodes in parallel, keys in order. An `info` read moves the
 * node's reader to a fresh process id like any worker.
 */
export async function finalReads(
  client: Client,
  recorder: HistoryRecorder,
  nodes: readonly string[],
  keys: readonly string[],
  workload: Pick<Workload, 'readF' | 'finalRead'>,
  firstProcess: number,
): Promise<FinalReadResult[]> {
  let nextProcess = firstProcess + nodes.length;
  return Promise.all(
    nodes.map(async (node, i) => {
      let process = firstProcess + i;
      const r: FinalReadResult = { node, ok: 0, failed: 0, gaveUp: false };
      let streak = 0;
      for (const key of keys) {
        const read = workload.finalRead?.(key) ?? { f: workload.readF, key, value: null };
        const inv = recorder.invoke({ process, ...read, node });
        const c = await client.invoke(inv);
        recorder.complete(inv, c);
        if (c.type === 'ok') {
          r.ok++;
          streak = 0;
          continue;
        }
        r.failed++;
        if (c.type === 'info') process = nextProcess++;
        if (++streak >= GIVE_UP_AFTER) {
          r.gaveUp = true;
          break;
        }
      }
      return r;
    }),
  );
}
