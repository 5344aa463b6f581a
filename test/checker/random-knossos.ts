// Generates small random histories for Knossos's other models: an honest simulated object, then maybe one lie.
import type { Json, Op } from '../../src/history/op.js';
import type { KnossosModel } from './brute-force.js';

interface Pending {
  op: Op;
  applied: boolean;
  /** Did it take effect successfully (false: the object refused it, so it completes `fail`)? */
  ok: boolean;
  result: Json | undefined;
}

/** The honest object: applies an op at its moment and says what the op saw, or that it was refused. */
interface Sim {
  invoke(pick: <T>(xs: readonly T[]) => T): { f: string; value?: Json };
  apply(op: Op): { ok: boolean; result?: Json };
}

function simulator(model: KnossosModel): Sim {
  switch (model) {
    case 'mutex': {
      let held = false;
      return {
        invoke: (pick) => ({ f: pick(['acquire', 'release']) }),
        apply(op) {
          // A lock service refuses (fails) an acquire of a held lock and a release of a free one.
          if ((op.f === 'acquire') === held) return { ok: false };
          held = !held;
          return { ok: true };
        },
      };
    }
    case 'set': {
      const xs: number[] = [];
      return {
        invoke: (pick) => (pick([0, 1, 2]) < 2 ? { f: 'add', value: pick([1, 2, 3]) } : { f: 'read', value: null }),
        apply(op) {
          if (op.f === 'add' && !xs.includes(op.value as number)) xs.push(op.value as number);
          return { ok: true, result: op.f === 'read' ? [...xs] : op.value };
        },
      };
    }
    case 'unordered-queue':
    case 'fifo-queue': {
      const xs: number[] = [];
      return {
        invoke: (pick) => (pick([0, 1]) === 0 ? { f: 'enqueue', value: pick([1, 2, 3]) } : { f: 'dequeue', value: null }),
        apply(op) {
          if (op.f === 'enqueue') {
            xs.push(op.value as number);
            return { ok: true, result: op.value };
          }
          // Empty: refused. The unordered queue hands out a random pending value (here: the last one).
          if (xs.length === 0) return { ok: false };
          const v = model === 'fifo-queue' ? xs.shift()! : xs.pop()!;
          return { ok: true, result: v };
        },
      };
    }
    case 'multi-register': {
      const regs = new Map<string, Json>();
      return {
        invoke(pick) {
          const n = pick([1, 2]);
          const micro: Json[] = [];
          for (let i = 0; i < n; i++) micro.push(pick([0, 1]) === 0 ? ['read', pick(['x', 'y']), null] : ['write', pick(['x', 'y']), pick([1, 2])]);
          return { f: 'txn', value: micro };
        },
        apply(op) {
          const out = (op.value as Json[][]).map(([f, k, v]) => {
            if (f === 'write') regs.set(k as string, v);
            return [f, k, f === 'read' ? (regs.get(k as string) ?? null) : v];
          });
          return { ok: true, result: out };
        },
      };
    }
    case 'noop':
      return { invoke: (pick) => ({ f: pick(['ping', 'frob']), value: pick([null, 1]) }), apply: (op) => ({ ok: true, result: op.value }) };
  }
}

/**
 * Up to `maxOps` ops by 3 workers; each op takes effect at a random moment between invocation and
 * completion, completes ok, fail (refused, or not applied), info (applied or not; the worker then gets
 * a new process) or never. In about half of the histories one completion then lies: a refused op claims
 * ok, or a result is altered. The brute-force checker judges; the generator only makes both kinds likely.
 */
export function randomKnossosHistory(rand: () => number, model: KnossosModel, maxOps = 7): Op[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const sim = simulator(model);
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
    const r = sim.apply(p.op);
    p.ok = r.ok;
    p.result = r.result;
  };
  for (let step = 0; step < 60; step++) {
    const w = Math.floor(rand() * 3);
    const p = workers[w];
    const pending = workers.filter((x): x is Pending => x !== null && !x.applied);
    if (pending.length > 0 && rand() < 0.4) apply(pick(pending));
    if (p === null) {
      if (invoked >= maxOps) continue;
      invoked++;
      const { f, value } = sim.invoke(pick);
      const op: Omit<Op, 'index' | 'time'> = { process: procs[w], type: 'invoke', f };
      if (value !== undefined) op.value = value;
      workers[w] = { op: emit(op), applied: false, ok: false, result: undefined };
      continue;
    }
    const done = (type: Op['type'], value: Json | undefined): void => {
      const c: Omit<Op, 'index' | 'time'> = { process: procs[w], type, f: p.op.f };
      if (value !== undefined) c.value = value;
      emit(c);
      workers[w] = null;
    };
    const r = rand();
    if (r < 0.1 && !p.applied) done('fail', p.op.value);
    else if (r < 0.22) {
      if (rand() < 0.5 && !p.applied) apply(p);
      // A refused op that reports info is just as unknown to the checker.
      done('info', p.op.value);
      procs[w] = nextProc++;
    } else {
      if (!p.applied) apply(p);
      if (p.ok) done('ok', p.result);
      else done('fail', p.op.value);
    }
  }
  if (rand() < 0.5) lie(history, rand, model);
  return history;
}

function lie(history: Op[], rand: () => number, model: KnossosModel): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  // A set read never fails, and one that claimed ok with no value would be bad input, not a lie.
  const fails = history.filter((o) => o.type === 'fail' && !(model === 'set' && o.f === 'read'));
  const oks = history.filter((o) => o.type === 'ok');
  if (fails.length > 0 && (oks.length === 0 || rand() < 0.5)) {
    // A dequeue now claims it took nil, a txn that its reads saw nil: both lies unless nothing was there.
    pick(fails).type = 'ok';
    return;
  }
  if (oks.length === 0) return;
  const o = pick(oks);
  switch (model) {
    case 'set':
      if (o.f === 'read') o.value = pick([[], [1], [2], [1, 2], [1, 3], [1, 2, 3]]);
      break;
    case 'unordered-queue':
    case 'fifo-queue':
      if (o.f === 'dequeue') o.value = pick([1, 2, 3]);
      break;
    case 'multi-register':
      o.value = (o.value as Json[][]).map(([f, k, v]) => [f, k, f === 'read' ? pick([null, 1, 2]) : v]);
      break;
    default:
      break;
  }
}
