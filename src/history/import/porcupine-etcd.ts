// Importer for Porcupine's Jepsen etcd logs ("INFO jepsen.util - 3 :invoke :cas [1 2]"; MANIFEST Format A).
import type { Json, Op, OpType } from '../op.js';
import { badLine, eachLine, type Imported } from './common.js';
import { ETCD_LINE } from './detect.js';

/**
 * The log has no timestamps: line order is real-time order, so `time` is the line position. Mapping
 * to our history, following the etcd model Porcupine checks these logs with:
 *  - `:fail :cas [a b]` is an observation, not a no-op: the cas ran and saw a value other than a, so it
 *    becomes `ok` with `succeeded: false`;
 *  - `:fail :read :timed-out` and every `:info … :timed-out` have an unknown outcome: `info`;
 *  - any other `:fail` certainly did not happen: `fail` (dropped by the checker).
 */
export function parsePorcupineEtcd(text: string, file: string): Imported {
  const ops: Op[] = [];
  const lines: number[] = [];
  eachLine(text, (line, n) => {
    if (line.trim() === '') return;
    const m = ETCD_LINE.exec(line);
    if (!m) throw badLine(file, n, 'not a Jepsen etcd log line (expected "INFO jepsen.util - PROCESS :TYPE :F VALUE")');
    const [, proc, typeText, f, valueText] = m;
    const value = parseValue(valueText, f, file, n);
    let type = typeText as OpType;
    const op: Op = { index: ops.length, time: ops.length, process: Number(proc), type, f };
    if (value === TIMED_OUT) {
      if (type === 'invoke' || type === 'ok') throw badLine(file, n, `:${type} :${f} cannot be :timed-out`);
      op.type = type = 'info';
      op.error = 'timed-out';
    } else {
      op.value = value;
      if (type === 'fail' && f === 'cas') {
        op.type = 'ok';
        op.succeeded = false;
      }
    }
    ops.push(op);
    lines.push(n);
  });
  return { ops, lines };
}

const TIMED_OUT = Symbol('timed-out');

function parseValue(text: string, f: string, file: string, n: number): Json | typeof TIMED_OUT {
  if (text === ':timed-out') return TIMED_OUT;
  if (f === 'cas') {
    const m = /^\[\s*(-?\d+)\s+(-?\d+)\s*\]$/.exec(text);
    if (!m) throw badLine(file, n, `cas value must be [FROM TO], got "${text}"`);
    return [Number(m[1]), Number(m[2])];
  }
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  throw badLine(file, n, `${f} value must be nil or an integer, got "${text}"`);
}
