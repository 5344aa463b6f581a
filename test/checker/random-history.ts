// Generates small random histories: a simulated real register, then (sometimes) a corrupted observation.
import type { Json, Op } from '../../src/history/op.js';
import type { BruteModel } from './brute-force.js';

/** Seeded PRNG: the property test is the same on every run. */
export { seeded as prng } from '../../src/generator/random.js';

interface Pending {
  op: Op;
  applied: boolean;
  result: Json | undefined;
  succeeded: boolean;
}

/**
 * Up to `maxOps` operations by 3 workers against one honest in-memory store, each taking effect at a
 * random moment between its invocation and completion (so the history is linearizable), completing ok,
 * fail (only if it did not take effect), info (either way; the worker then gets a new process id) or
 * never. Then, in about a third of the histories, one observation is corrupted, which usually (not
 * always) makes the history non-linearizable: the brute-force checker is the judge, not the generator.
 */
export function randomHistory(rand: () => number, model: BruteModel, maxOps = 8): Op[] {
  const kv = model === 'kv' || model === 'kv-unpartitioned';
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const store = new Map<string, Json>();
  const read = (k: string): Json => (store.has(k) ? store.get(k)! : kv ? '' : null);
  const history: Op[] = [];
  const workers: (Pending | null)[] = [null, null, null];
  const procs = [0, 1, 2];
  let nextProc = 3;
  let invoked = 0;
  const emit = (op: Omit<Op, 'index' | 'time'>): Op => {
    const full = { index: history.length, time: history.length, ...op } as Op;
    history.push(full);
    return full;
  };
  const apply = (p: Pending): void => {
    p.applied = true;
    const k = p.op.key ?? '';
    const cur = read(k);
    switch (p.op.f) {
      case 'read':
      case 'get':
        p.result = cur;
        break;
      case 'write':
      case 'put':
        store.set(k, p.op.value ?? null);
        break;
      case 'append':
        store.set(k, String(cur) + String(p.op.value));
        break;
      case 'cas': {
        const [from, to] = p.op.value as Json[];
        p.succeeded = JSON.stringify(cur) === JSON.stringify(from);
        if (p.succeeded) store.set(k, to);
      }
    }
  };
  const fs = model === 'register' ? ['read', 'write'] : model === 'cas-register' ? ['read', 'write', 'cas', 'cas'] : ['get', 'put', 'append', 'append'];
  for (let step = 0; step < 60; step++) {
    const w = Math.floor(rand() * 3);
    const p = workers[w];
    // Let some pending op take effect now: that is the moment it "really" happens.
    const pending = workers.filter((x): x is Pending => x !== null && !x.applied);
    if (pending.length > 0 && rand() < 0.4) apply(pick(pending));
    if (p === null) {
      if (invoked >= maxOps) continue;
      invoked++;
      const f = pick(fs);
      const op: Omit<Op, 'index' | 'time'> = { process: procs[w], type: 'invoke', f };
      if (kv) op.key = pick(['a', 'b']);
      if (f === 'write' || f === 'put') op.value = kv ? pick(['x', 'y', '']) : pick([0, 1, 2]);
      if (f === 'append') op.value = pick(['x', 'y', 'z']);
      if (f === 'cas') op.value = [pick([null, 0, 1, 2]), pick([0, 1, 2])];
      if (f === 'read' || f === 'get') op.value = null;
      workers[w] = { op: emit(op), applied: false, result: undefined, succeeded: true };
      continue;
    }
    const r = rand();
    const done = (type: Op['type'], extra: Partial<Op> = {}): void => {
      emit({ process: procs[w], type, f: p.op.f, key: p.op.key, value: p.op.value, ...extra });
      workers[w] = null;
    };
    if (r < 0.1 && !p.applied) done('fail');
    else if (r < 0.22) {
      if (rand() < 0.5 && !p.applied) apply(p);
      done('info');
      procs[w] = nextProc++;
    } else {
      if (!p.applied) apply(p);
      if (p.op.f === 'read' || p.op.f === 'get') done('ok', { value: p.result ?? null });
      else if (p.op.f === 'cas') done('ok', p.succeeded ? {} : { succeeded: false });
      else done('ok');
    }
  }
  for (const op of history) if (op.key === undefined) delete op.key;
  if (rand() < 0.35) corrupt(history, rand, kv);
  return history;
}

function corrupt(history: Op[], rand: () => number, kv: boolean): void {
  const oks = history.filter((o) => o.type === 'ok' && ['read', 'get', 'cas'].includes(o.f));
  if (oks.length === 0) return;
  const o = oks[Math.floor(rand() * oks.length)];
  if (o.f === 'cas') {
    if (o.succeeded === false) delete o.succeeded;
    else o.succeeded = false;
  } else o.value = kv ? ['', 'x', 'y', 'xy', 'yx', 'z'][Math.floor(rand() * 6)] : [null, 0, 1, 2][Math.floor(rand() * 4)];
}
