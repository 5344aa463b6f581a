// Packs a partition's operations for a worker thread: numbers in one transferable array, the rest as JSON.
import type { Operation } from '../model/model.js';

export interface PackedOps {
  /** id, process (NaN for a named process), call, ret per op; ret = Infinity survives (JSON would not keep it). */
  num: Float64Array;
  /** JSON of [input, output, key, process-name] per op (undefined output and key drop out as null). */
  rest: string;
}

/**
 * Structured clone of a million small objects costs the main thread about three times what
 * JSON.stringify does, and the main thread is the bottleneck when it feeds the workers.
 */
export function packOps(ops: readonly Operation[]): PackedOps {
  const num = new Float64Array(ops.length * 4);
  const rest: unknown[] = new Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    num[4 * i] = o.id;
    num[4 * i + 1] = typeof o.process === 'number' ? o.process : NaN;
    num[4 * i + 2] = o.call;
    num[4 * i + 3] = o.ret;
    rest[i] = [o.input, o.output === undefined ? null : o.output, o.key ?? null, typeof o.process === 'number' ? null : o.process, o.output === undefined ? 0 : 1];
  }
  return { num, rest: JSON.stringify(rest) };
}

export function unpackOps(p: PackedOps): Operation[] {
  const rest = JSON.parse(p.rest) as [unknown, unknown, string | null, string | null, 0 | 1][];
  const ops: Operation[] = new Array(rest.length);
  for (let i = 0; i < rest.length; i++) {
    const [input, output, key, name, known] = rest[i];
    const op: Operation = { id: p.num[4 * i], process: name ?? p.num[4 * i + 1], call: p.num[4 * i + 2], ret: p.num[4 * i + 3], input, output: known ? output : undefined };
    if (key !== null) op.key = key;
    ops[i] = op;
  }
  return ops;
}
