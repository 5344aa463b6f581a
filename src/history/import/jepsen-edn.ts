// Importer for Jepsen/Knossos EDN histories: a vector or list of op maps, or a bare stream of them.
import { NEMESIS, type Json, type Op, type OpType, type ProcessId } from '../op.js';
import { badLine, type Imported } from './common.js';
import { EdnError, EdnMap, EdnSet, EdnSymbol, Keyword, readEdn, Tagged, type Edn } from './edn.js';

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

/**
 * Fields follow Jepsen: `:process :type :f :value :time :error` (`:index` is reassigned densely in file
 * order, which is the history's order; `:time` defaults to that position). Ops may be plain maps or
 * `#jepsen.history.Op{...}` records; `;` comments and `#_` discards are skipped. Keywords become strings,
 * nil null, vectors, lists and sets arrays. Ops of Jepsen's `independent` checker (`:value [key value]`
 * on every client op) get `key` and the inner value. Ops of the nemesis are kept (the checker skips
 * them); ops of other named processes (`:process :checker`, ...) are not client ops either, whatever
 * their `:f`, and are left out, counted in `dropped`. `:fail` ops are dropped later by the checker, as
 * Jepsen does. What a `nil` read means is the model's business (ModelSpec.nilRead).
 */
export function parseJepsenEdn(text: string, file: string): Imported {
  const forms: { form: Edn; line: number }[] = [];
  try {
    let sawSeq = false;
    readEdn(
      text,
      (form, line, inSeq) => {
        if (sawSeq && !inSeq) throw new EdnError(line, 'unexpected form after the history vector or list');
        if (inSeq && forms.length > 0 && !sawSeq) throw new EdnError(line, 'a history vector or list after op maps');
        sawSeq ||= inSeq;
        forms.push({ form, line });
      },
      true,
    );
  } catch (e) {
    if (e instanceof EdnError) throw badLine(file, e.line, `EDN: ${e.message}`);
    throw e;
  }
  const ops: Op[] = [];
  const lines: number[] = [];
  let dropped = 0;
  for (const { form, line } of forms) {
    const op = toOp(form, ops.length, (what) => badLine(file, line, what));
    if (op === undefined) {
      dropped++;
      continue;
    }
    ops.push(op);
    lines.push(line);
  }
  splitIndependent(ops);
  return { ops, lines, dropped };
}

/** undefined: an op of a named process other than the nemesis. */
function toOp(form: Edn, index: number, bad: (what: string) => Error): Op | undefined {
  const m = form instanceof Tagged ? form.value : form;
  if (!(m instanceof EdnMap)) throw bad('expected an op map like {:process 0, :type :invoke, :f :read, :value nil}');
  const type = name(m.get('type'));
  if (type === undefined || !TYPES.has(type)) throw bad(`:type must be :invoke, :ok, :fail or :info, got ${show(m.get('type'))}`);
  const f = name(m.get('f'));
  if (f === undefined || f === '') throw bad(`:f must be a keyword, got ${show(m.get('f'))}`);
  const rawProcess = m.get('process');
  const process = processOf(rawProcess);
  if (process === undefined) {
    if (rawProcess instanceof Keyword) return undefined;
    throw bad(`:process must be a non-negative integer or a keyword like :nemesis, got ${show(rawProcess)}`);
  }
  const time = m.get('time');
  const op: Op = { index, time: typeof time === 'number' ? time : index, process, type: type as OpType, f };
  const value = m.get('value');
  if (value !== undefined) op.value = toJson(value);
  const error = m.get('error');
  if (error !== undefined && error !== null) {
    const e = toJson(error);
    op.error = typeof e === 'string' ? e : JSON.stringify(e);
  }
  return op;
}

function processOf(v: Edn | undefined): ProcessId | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (v instanceof Keyword && v.name === 'nemesis') return NEMESIS;
  return undefined;
}

function name(v: Edn | undefined): string | undefined {
  if (v instanceof Keyword || v instanceof EdnSymbol) return v.name;
  if (typeof v === 'string') return v;
  return undefined;
}

function show(v: Edn | undefined): string {
  return v === undefined ? 'nothing' : JSON.stringify(toJson(v));
}

export function toJson(v: Edn): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof Keyword || v instanceof EdnSymbol) return v.name;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof EdnSet) return v.items.map(toJson);
  if (v instanceof Tagged) return toJson(v.value);
  const o: { [k: string]: Json } = {};
  for (const [k, val] of v.entries) {
    const j = toJson(k);
    o[typeof j === 'string' ? j : JSON.stringify(j)] = toJson(val);
  }
  return o;
}

/**
 * Jepsen's independent tuples: every client op's value is `[key value]` with a scalar key (and a cas's
 * value is `[key [old new]]`). Plain register histories never look like that: reads carry nil or a
 * number; a two-micro-op txn or a two-element set read has a collection where the key would be.
 */
function splitIndependent(ops: Op[]): void {
  const client = ops.filter((o) => o.process !== NEMESIS);
  const pair = (v: Json | undefined): v is Json[] => Array.isArray(v) && v.length === 2 && (v[0] === null || typeof v[0] !== 'object');
  const independent =
    client.length > 0 && client.every((o) => pair(o.value) && (o.f !== 'cas' || (o.value as Json[])[1] === null || pair((o.value as Json[])[1])));
  if (!independent) return;
  for (const o of client) {
    const [k, v] = o.value as Json[];
    o.key = typeof k === 'string' ? k : JSON.stringify(k);
    o.value = v;
  }
}
