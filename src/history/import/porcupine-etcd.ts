// Importer for Porcupine's Jepsen etcd logs ("INFO jepsen.util - 3 :invoke :cas [1 2]"; MANIFEST Format A).
import type { Json, Op, OpType } from '../op.js';
import { badLine, lineAt, type Imported } from './common.js';
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
  let start = 0;
  let n = 1;
  while (start < text.length) {
    // Lines in the files' own shape are read in place by one sticky match; anything else (a blank line, other
    // whitespace, spaces inside [ ], a value that does not fit its op, garbage) takes the line-by-line path,
    // which parses it or names what is wrong with it in the words it always has.
    WELL_FORMED.lastIndex = start;
    const m = WELL_FORMED.exec(text);
    if (m !== null) {
      start = WELL_FORMED.lastIndex;
      const value = m[4] !== undefined ? null : m[5] !== undefined ? Number(m[5]) : m[7] !== undefined ? [Number(m[7]), Number(m[8])] : TIMED_OUT;
      ops.push(opOf(ops.length, Number(m[1]), m[2] as OpType, m[3] ?? m[6], value, file, n));
      lines.push(n);
    } else {
      const { line, next } = lineAt(text, start);
      start = next;
      if (line.trim() !== '') {
        const g = ETCD_LINE.exec(line);
        if (!g) throw badLine(file, n, 'not a Jepsen etcd log line (expected "INFO jepsen.util - PROCESS :TYPE :F VALUE")');
        ops.push(opOf(ops.length, Number(g[1]), g[2] as OpType, g[3], parseValue(g[4], g[3], file, n), file, n));
        lines.push(n);
      }
    }
    n++;
  }
  return { ops, lines };
}

/** One line as the files have it: a read or write of nil or an integer, a cas of [FROM TO], or :timed-out. */
const WELL_FORMED = /INFO[ \t]+jepsen\.util[ \t]+-[ \t]+(\d+)[ \t]+:(invoke|ok|fail|info)[ \t]+:(?:(read|write)[ \t]+(?:(nil)|(-?\d+)|:timed-out)|(cas)[ \t]+(?:\[(-?\d+) (-?\d+)\]|:timed-out))[ \t]*(?:\r?\n|$)/y;

function opOf(index: number, process: number, type: OpType, f: string, value: Json | typeof TIMED_OUT, file: string, n: number): Op {
  const op: Op = { index, time: index, process, type, f };
  if (value === TIMED_OUT) {
    if (type === 'invoke' || type === 'ok') throw badLine(file, n, `:${type} :${f} cannot be :timed-out`);
    op.type = 'info';
    op.error = 'timed-out';
    return op;
  }
  op.value = value;
  if (type === 'fail' && f === 'cas') {
    op.type = 'ok';
    op.succeeded = false;
  }
  return op;
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
