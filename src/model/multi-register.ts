// The multi-register model (Knossos's `multi-register`): transactions of reads and writes over named registers.
import type { Json, Op } from '../history/op.js';
import { ModelInputError, type Model, type ModelOptions, type NilRead } from './model.js';
import { canonical, hashString } from './values.js';

/** One micro-op of a `txn`: read or write register `k` (canonical key); `v` is the canonical value written. */
export interface Micro {
  f: 'read' | 'write';
  k: string;
  v: string;
}
/**
 * Per micro-op, what a read saw (canonical), or null when it tells nothing (writes; unknown outcome; a
 * `nil` read under the 'any' rule). null, not undefined, so it survives the JSON trip to a worker thread.
 */
export type MultiOutput = (string | null)[];
/** The registers as the JSON text of sorted [key, value] pairs; a register holding null is absent. */
export type MultiModel = Model<string, Micro[], MultiOutput, never>;

const ILLEGAL: readonly string[] = [];

/**
 * Ops are `{f: "txn", value: [[f, k, v], ...]}` with f read or write (r and w also accepted); a completed
 * txn's value repeats the micro-ops with the values read. Micro-ops apply in order, so a read sees the
 * txn's own earlier writes. `initial` is a JSON object of register values (default: all absent).
 */
export function multiRegister(options: ModelOptions = {}): MultiModel {
  const nilRead = options.nilRead ?? 'absent';
  const init = options.initial ?? null;
  if (init !== null && (typeof init !== 'object' || Array.isArray(init))) throw new ModelInputError(`multi-register --initial must be a JSON object of register values, got ${JSON.stringify(init)}`);
  const initial = encodeRegisters(new Map(Object.entries((init ?? {}) as Record<string, Json>).map(([k, v]) => [canonical(k), canonical(v)])));
  return {
    name: 'multi-register',
    spec: { name: 'multi-register', initial: init, nilRead },
    init: () => initial,
    operation: (invoke, completion) => txnOperation(invoke, completion, nilRead),
    step(state, input, output) {
      const regs = decodeRegisters(state);
      let wrote = false;
      for (let i = 0; i < input.length; i++) {
        const m = input[i];
        if (m.f === 'write') {
          if (m.v === 'null') regs.delete(m.k);
          else regs.set(m.k, m.v);
          wrote = true;
          continue;
        }
        const saw = output?.[i] ?? null;
        if (saw !== null && saw !== (regs.get(m.k) ?? 'null')) return ILLEGAL;
      }
      return wrote ? [encodeRegisters(regs)] : [state];
    },
    readOnly: (input) => input.every((m) => m.f === 'read'),
    equal: (a, b) => a === b,
    hash: hashString,
    inputKey: (input) => JSON.stringify(input),
    describeOperation: (input, output) =>
      `txn(${input.map((m, i) => (m.f === 'write' ? `w ${m.k} ${m.v}` : `r ${m.k} ${output === undefined ? '?' : (output[i] ?? '?')}`)).join(', ')})${output === undefined ? ' ?' : ''}`,
    describeState: (s) => `{${(JSON.parse(s) as [string, string][]).map(([k, v]) => `${k}: ${v}`).join(', ')}}`,
  };
}

function encodeRegisters(regs: Map<string, string>): string {
  return JSON.stringify([...regs.entries()].filter(([, v]) => v !== 'null').sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function decodeRegisters(state: string): Map<string, string> {
  return new Map(JSON.parse(state) as [string, string][]);
}

const MICRO_F: Record<string, Micro['f']> = { read: 'read', r: 'read', write: 'write', w: 'write' };

function txnOperation(invoke: Op, completion: Op | undefined, nilRead: NilRead): { input: Micro[]; output: MultiOutput | undefined } {
  if (invoke.f !== 'txn') throw new ModelInputError(`model multi-register does not understand f="${invoke.f}" (it knows txn, whose value is [[:read k nil] [:write k v] ...])`);
  const input = micros(invoke.value, 'txn value');
  if (!completion) return { input, output: undefined };
  const done = micros(completion.value, 'completed txn value');
  if (done.length !== input.length || done.some((m, i) => m.f !== input[i].f || m.k !== input[i].k)) {
    throw new ModelInputError(`completed txn ${JSON.stringify(completion.value)} does not repeat the micro-ops of its invocation ${JSON.stringify(invoke.value)}`);
  }
  const output = done.map((m) => (m.f === 'write' || (m.v === 'null' && nilRead === 'any') ? null : m.v));
  return { input, output };
}

function micros(v: Json | undefined, what: string): Micro[] {
  if (!Array.isArray(v)) throw new ModelInputError(`${what} must be a list of [f k v] micro-ops, got ${JSON.stringify(v ?? null)}`);
  return v.map((m) => {
    if (!Array.isArray(m) || m.length < 2 || m.length > 3 || typeof m[0] !== 'string' || !(m[0] in MICRO_F)) {
      throw new ModelInputError(`${what}: each micro-op must be [read|write key value], got ${JSON.stringify(m)}`);
    }
    return { f: MICRO_F[m[0]], k: canonical(m[1]), v: canonical(m[2] ?? null) };
  });
}
