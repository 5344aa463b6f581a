// Seedable generator of high-concurrency cas-register histories for bench:checker, honest or with planted anomalies.
import type { Json } from '../src/history/op.js';
import { HistoryWriter } from '../src/history/writer.js';
import { seeded, type Random } from '../src/generator/random.js';

export interface CasHistoryShape {
  /** Independent registers (keys). */
  keys: number;
  /** Concurrent processes per key, 2–40. */
  procsPerKey: number;
  /** Invocations in the whole history, 20–5,000. */
  ops: number;
  /** Planted anomalies: a read reports an older value, an acked write never applied, a cas reports the opposite outcome. */
  staleReads: number;
  lostWrites: number;
  flippedCas: number;
}

/** The shape of history `i` of the set drawn from `seed`: sizes log-uniform, so most are small and a few large. */
export function shapeOf(seed: number, i: number): CasHistoryShape {
  const r = seeded((seed * 1_000_003 + i) >>> 0);
  const mutated = r() < 0.5;
  const n = (k: number): number => (mutated && r() < 0.5 ? 1 + Math.floor(r() * k) : 0);
  return {
    keys: 1 + Math.floor(r() * 4),
    procsPerKey: 2 + Math.floor(r() * 39),
    ops: Math.round(20 * Math.pow(250, r())),
    staleReads: n(3),
    lostWrites: n(2),
    flippedCas: n(2),
  };
}

interface Client {
  process: number;
  key: number;
  busy: boolean;
  applied: boolean;
  f: 'read' | 'write' | 'cas';
  value: Json;
  result: Json;
  succeeded: boolean;
  /** This write is acknowledged but never applied (a lost write). */
  lost: boolean;
  /** Position of this op among the history's ops of its kind: where anomalies are planted. */
  ordinal: number;
}

/**
 * Simulates `procsPerKey` clients per key against honest registers: each op takes effect at a random
 * moment between its invocation and completion; 3% end `fail` (not applied), 1% `info` (applied or
 * not; the process is then retired for a fresh id: an info op stays open to the end, and every one of
 * them multiplies the search, so a real run's rate of a few per thousand is what is modelled). Values are 0–4 so that cas often matches. The
 * anomalies are planted at random ok ops; a planted history is usually, not always, not linearizable.
 */
export async function writeCasHistory(path: string, shape: CasHistoryShape, seed: number): Promise<void> {
  const rand: Random = seeded(seed);
  const values = new Map<number, Json>();
  const past = new Map<number, Json[]>();
  const clients: Client[] = [];
  let nextProcess = 0;
  for (let k = 0; k < shape.keys; k++) {
    past.set(k, [null]);
    for (let p = 0; p < shape.procsPerKey; p++) clients.push({ process: nextProcess++, key: k, busy: false, applied: false, f: 'read', value: null, result: null, succeeded: true, lost: false, ordinal: 0 });
  }
  // Which invocations get an anomaly (by ordinal among ops of that kind).
  const plant = (count: number, of: number): Set<number> => {
    const s = new Set<number>();
    while (s.size < Math.min(count, of)) s.add(Math.floor(rand() * of));
    return s;
  };
  const expect = { read: shape.ops * 0.4, write: shape.ops * 0.3, cas: shape.ops * 0.3 };
  const stale = plant(shape.staleReads, Math.max(1, Math.floor(expect.read)));
  const lost = plant(shape.lostWrites, Math.max(1, Math.floor(expect.write)));
  const flipped = plant(shape.flippedCas, Math.max(1, Math.floor(expect.cas)));
  const count = { read: 0, write: 0, cas: 0 };
  const w = await HistoryWriter.open(path);
  let invoked = 0;
  let time = 0;
  const apply = (c: Client): void => {
    c.applied = true;
    const cur = values.get(c.key) ?? null;
    if (c.f === 'read') c.result = cur;
    else if (c.f === 'write') {
      if (!c.lost) set(c.key, c.value);
    } else {
      const [from, to] = c.value as [Json, Json];
      c.succeeded = cur === from;
      if (c.succeeded) set(c.key, to);
    }
  };
  const set = (k: number, v: Json): void => {
    values.set(k, v);
    past.get(k)!.push(v);
  };
  while (clients.some((c) => c.busy) || invoked < shape.ops) {
    const c = clients[Math.floor(rand() * clients.length)];
    const key = String(c.key);
    time += 1000;
    if (!c.busy) {
      if (invoked >= shape.ops) continue;
      invoked++;
      const r = rand();
      c.f = r < 0.4 ? 'read' : r < 0.7 ? 'write' : 'cas';
      c.value = c.f === 'read' ? null : c.f === 'write' ? Math.floor(rand() * 5) : [Math.floor(rand() * 5), Math.floor(rand() * 5)];
      c.ordinal = count[c.f];
      c.lost = c.f === 'write' && lost.has(c.ordinal);
      c.busy = true;
      c.applied = false;
      c.succeeded = true;
      count[c.f]++;
      w.append({ time, process: c.process, type: 'invoke', f: c.f, key, value: c.value });
      continue;
    }
    if (!c.applied && rand() < 0.5) {
      apply(c);
      continue;
    }
    c.busy = false;
    const r = rand();
    if (r < 0.03 && !c.applied && !c.lost) w.append({ time, process: c.process, type: 'fail', f: c.f, key, value: c.value, error: 'refused' });
    else if (r < 0.04 && !c.lost) {
      if (!c.applied && rand() < 0.5) apply(c);
      w.append({ time, process: c.process, type: 'info', f: c.f, key, value: c.value, error: 'timeout' });
      c.process = nextProcess++;
    } else {
      if (!c.applied) apply(c);
      const ordinal = c.ordinal;
      if (c.f === 'read') {
        const older = past.get(c.key)!;
        const v = stale.has(ordinal) && older.length > 1 ? older[Math.floor(rand() * (older.length - 1))] : c.result;
        w.append({ time, process: c.process, type: 'ok', f: 'read', key, value: v });
      } else if (c.f === 'cas') {
        const succeeded = flipped.has(ordinal) ? !c.succeeded : c.succeeded;
        w.append({ time, process: c.process, type: 'ok', f: 'cas', key, value: c.value, ...(succeeded ? {} : { succeeded: false }) });
      } else w.append({ time, process: c.process, type: 'ok', f: 'write', key, value: c.value });
    }
  }
  await w.close();
}
