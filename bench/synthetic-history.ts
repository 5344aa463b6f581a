// Generates a large linearizable cas-register history over many keys by simulating real registers.
import { HistoryWriter } from '../src/history/writer.js';
import type { Json } from '../src/history/op.js';

export interface SyntheticOptions {
  keys: number;
  opsPerKey: number;
  /** Concurrent client processes per key. */
  procsPerKey: number;
  /** Keys worked on at the same time (their ops interleave in the history). */
  activeKeys: number;
  seed: number;
}

interface Client {
  process: number;
  key: number;
  busy: boolean;
  applied: boolean;
  f: string;
  value: Json;
  result: Json;
  succeeded: boolean;
}

/**
 * Every op takes effect at a random moment between its invocation and its completion against an
 * honest in-memory register, so the history is linearizable by construction. About 2% of ops end
 * `info` (having taken effect or not; the process is then retired for a fresh id) and 3% `fail`
 * (certainly not applied). Returns the number of invocations written.
 */
export async function writeSyntheticHistory(path: string, o: SyntheticOptions): Promise<number> {
  let seed = o.seed >>> 0;
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const w = await HistoryWriter.open(path);
  const values = new Map<number, Json>();
  const done = new Array<number>(o.keys).fill(0);
  let nextProcess = 0;
  let nextKey = 0;
  let invocations = 0;
  let time = 0;
  const clients: Client[] = [];
  const startKey = (): void => {
    const key = nextKey++;
    for (let i = 0; i < o.procsPerKey; i++) clients.push({ process: nextProcess++, key, busy: false, applied: false, f: '', value: null, result: null, succeeded: true });
  };
  for (let i = 0; i < Math.min(o.activeKeys, o.keys); i++) startKey();
  const apply = (c: Client): void => {
    c.applied = true;
    const cur = values.get(c.key) ?? null;
    if (c.f === 'read') c.result = cur;
    else if (c.f === 'write') values.set(c.key, c.value);
    else {
      const [from, to] = c.value as [Json, Json];
      c.succeeded = cur === from;
      if (c.succeeded) values.set(c.key, to);
    }
  };
  let steps = 0;
  while (clients.length > 0) {
    // Let the writer's flushes reach the file as we go.
    if (++steps % 20_000 === 0) await w.flush();
    const i = Math.floor(rand() * clients.length);
    const c = clients[i];
    const key = String(c.key);
    time += 1000;
    if (!c.busy) {
      if (done[c.key] >= o.opsPerKey) {
        clients.splice(i, 1);
        if (!clients.some((x) => x.key === c.key) && nextKey < o.keys) startKey();
        continue;
      }
      done[c.key]++;
      const r = rand();
      c.f = r < 0.5 ? 'read' : r < 0.75 ? 'write' : 'cas';
      c.value = c.f === 'read' ? null : c.f === 'write' ? Math.floor(rand() * 5) : [Math.floor(rand() * 5), Math.floor(rand() * 5)];
      c.busy = true;
      c.applied = false;
      c.succeeded = true;
      invocations++;
      w.append({ time, process: c.process, type: 'invoke', f: c.f, key, value: c.value });
      continue;
    }
    if (!c.applied && rand() < 0.5) {
      apply(c);
      continue;
    }
    const r = rand();
    c.busy = false;
    if (r < 0.03 && !c.applied) {
      w.append({ time, process: c.process, type: 'fail', f: c.f, key, value: c.value, error: 'refused' });
    } else if (r < 0.05) {
      if (!c.applied && rand() < 0.5) apply(c);
      w.append({ time, process: c.process, type: 'info', f: c.f, key, value: c.value, error: 'timeout' });
      c.process = nextProcess++;
    } else {
      if (!c.applied) apply(c);
      if (c.f === 'read') w.append({ time, process: c.process, type: 'ok', f: 'read', key, value: c.result });
      else if (c.f === 'cas' && !c.succeeded) w.append({ time, process: c.process, type: 'ok', f: 'cas', key, value: c.value, succeeded: false });
      else w.append({ time, process: c.process, type: 'ok', f: c.f, key, value: c.value });
    }
  }
  await w.close();
  return invocations;
}
