// Importer for Porcupine's key/value logs ({:process 0, :type :invoke, :f :get, :key "1", :value nil}; Format B).
import type { Op, OpType } from '../op.js';
import { badLine, eachLine, type Imported } from './common.js';
import { KV_LINE } from './detect.js';

/**
 * Strict per-line match of the exact shape these files have (values never contain quotes or escapes);
 * anything else is reported with its line number rather than guessed at. Line order is real-time order.
 */
export function parsePorcupineKv(text: string, file: string): Imported {
  const ops: Op[] = [];
  const lines: number[] = [];
  eachLine(text, (line, n) => {
    if (line.trim() === '') return;
    const m = KV_LINE.exec(line);
    if (!m) throw badLine(file, n, 'not a kv op map (expected {:process N, :type :T, :f :F, :key "K", :value V})');
    const op: Op = { index: ops.length, time: ops.length, process: Number(m[1]), type: m[2] as OpType, f: m[3], key: m[4], value: m[5] === 'nil' ? null : m[6] };
    ops.push(op);
    lines.push(n);
  });
  return { ops, lines };
}
