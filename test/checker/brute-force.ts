// An independent, obviously-correct linearizability checker for tiny histories: tries every order.
import type { Json, Op } from '../../src/history/op.js';

export type BruteModel = 'register' | 'cas-register' | 'kv' | 'kv-unpartitioned' | KnossosModel;
/** Knossos's other models; their semantics here are written from Knossos's descriptions, not from src/. */
export type KnossosModel = 'multi-register' | 'mutex' | 'set' | 'unordered-queue' | 'fifo-queue' | 'noop';

interface Call {
  f: string;
  key: string;
  value: Json | undefined;
  /** Completion value (reads), undefined when the outcome is unknown. */
  out: Json | undefined;
  succeeded: boolean;
  known: boolean;
  call: number;
  ret: number;
}

/**
 * Semantics written from scratch (not shared with src/): `fail` ops never happened; `info` ops and
 * invocations left open may or may not have happened, at any point after their invocation; every `ok`
 * op happened between its invocation and completion. Linearizable iff for some subset of the unknown ops
 * some total order of (ok ops + subset) respects real time and the sequential register semantics.
 */
export function bruteForce(history: readonly Op[], model: BruteModel, initial: Json = null, nilAny = false): boolean {
  const calls = pair(history);
  const required = calls.filter((c) => c.known);
  const optional = calls.filter((c) => !c.known);
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = [...required, ...optional.filter((_, i) => (mask >> i) & 1)];
    if (model === 'kv') {
      // Per key independently is the definition we are checking against for partitioned kv.
      const keys = [...new Set(chosen.map((c) => c.key))];
      if (keys.every((k) => search(chosen.filter((c) => c.key === k), model, initial))) return true;
    } else if (search(chosen, model, initial, nilAny)) return true;
  }
  return false;
}

function pair(history: readonly Op[]): Call[] {
  const open = new Map<number | string, Call>();
  const all: Call[] = [];
  history.forEach((op, pos) => {
    if (op.process === 'nemesis') return;
    if (op.type === 'invoke') {
      const c: Call = { f: op.f, key: op.key ?? '', value: op.value, out: undefined, succeeded: true, known: false, call: pos, ret: Infinity };
      open.set(op.process, c);
      all.push(c);
      return;
    }
    const c = open.get(op.process)!;
    open.delete(op.process);
    if (op.type === 'fail') all.splice(all.indexOf(c), 1);
    if (op.type === 'ok') {
      c.known = true;
      c.ret = pos;
      c.out = op.value;
      c.succeeded = op.succeeded !== false;
    }
  });
  return all;
}

type State = Map<string, Json>;

function search(ops: Call[], model: BruteModel, initial: Json, nilAny: boolean): boolean {
  const placed = new Array<boolean>(ops.length).fill(false);
  const go = (state: unknown, count: number): boolean => {
    if (count === ops.length) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      // Real time: anything that completed before this op was invoked must already be placed.
      if (ops.some((o, j) => !placed[j] && j !== i && o.ret < ops[i].call)) continue;
      for (const next of nexts(state, ops[i], model, initial, nilAny)) {
        placed[i] = true;
        if (go(next, count + 1)) return true;
        placed[i] = false;
      }
    }
    return false;
  };
  return go(start(model, initial), 0);
}

function start(model: BruteModel, initial: Json): unknown {
  switch (model) {
    case 'mutex':
      return false;
    case 'set':
    case 'unordered-queue':
    case 'fifo-queue':
      return [];
    case 'noop':
      return null;
    case 'multi-register':
      return new Map<string, Json>(Object.entries((initial ?? {}) as Record<string, Json>));
    default:
      return new Map<string, Json>();
  }
}

/** Every state the op can leave behind when it takes effect in `state` (none: it cannot). */
function nexts(state: unknown, c: Call, model: BruteModel, initial: Json, nilAny: boolean): unknown[] {
  switch (model) {
    case 'noop':
      return [state];
    case 'mutex': {
      const held = state as boolean;
      if (c.f === 'acquire') return held ? [] : [true];
      return held ? [false] : [];
    }
    case 'set': {
      const xs = state as Json[];
      if (c.f === 'add') return xs.some((x) => same(x, c.value ?? null)) ? [xs] : [[...xs, c.value ?? null]];
      if (!c.known) return [xs];
      const read = c.out as Json[];
      const eq = read.every((r) => xs.some((x) => same(x, r))) && xs.every((x) => read.some((r) => same(x, r)));
      return eq ? [xs] : [];
    }
    case 'unordered-queue':
    case 'fifo-queue': {
      const xs = state as Json[];
      if (c.f === 'enqueue') return [[...xs, c.value ?? null]];
      const fifo = model === 'fifo-queue';
      // A dequeue that happened took some value: the head of a FIFO queue, any pending one otherwise.
      const candidates = fifo ? (xs.length > 0 ? [0] : []) : xs.map((_, i) => i);
      return candidates.filter((i) => !c.known || same(xs[i], c.out ?? null)).map((i) => [...xs.slice(0, i), ...xs.slice(i + 1)]);
    }
    case 'multi-register': {
      const regs = new Map(state as Map<string, Json>);
      const micro = c.value as Json[][];
      const done = c.known ? (c.out as Json[][]) : undefined;
      for (let i = 0; i < micro.length; i++) {
        const [f, k, v] = micro[i];
        const key = JSON.stringify(k);
        if (f === 'write') regs.set(key, v);
        else if (done) {
          const saw = done[i][2];
          if (!(saw === null && nilAny) && !same(regs.get(key) ?? (initialOf(initial, k) ?? null), saw)) return [];
        }
      }
      return [regs];
    }
  }
  const next = apply(state as State, c, model, initial, nilAny);
  return next === null ? [] : [next];
}

function initialOf(initial: Json, k: Json): Json | undefined {
  return initial !== null && typeof initial === 'object' && !Array.isArray(initial) ? (initial as Record<string, Json>)[String(k)] : undefined;
}

function apply(state: State, c: Call, model: BruteModel, initial: Json, nilAny: boolean): State | null {
  const kv = model === 'kv' || model === 'kv-unpartitioned';
  const key = kv ? c.key : '';
  const init = kv ? (initial === null ? '' : String(initial)) : initial;
  const cur = state.has(key) ? state.get(key)! : init;
  const set = (v: Json): State => new Map(state).set(key, v);
  switch (c.f) {
    case 'read':
    case 'get':
      if (!c.known || (nilAny && c.out === null)) return state;
      return same(cur, kv && c.out === null ? '' : (c.out ?? null)) ? state : null;
    case 'write':
    case 'put':
      return set(c.value ?? null);
    case 'append':
      return set(String(cur) + String(c.value));
    case 'cas': {
      const [from, to] = c.value as Json[];
      if (!c.known) return same(cur, from) ? set(to) : state;
      if (c.succeeded) return same(cur, from) ? set(to) : null;
      return same(cur, from) ? null : state;
    }
  }
  throw new Error(`brute force: unknown f ${c.f}`);
}

function same(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
