// The list-append history format: txn ops as Jepsen records them, paired into transactions with their micro-ops.
import type { Json, Op, ProcessId } from '../../history/op.js';
import { usageError } from '../../util/errors.js';

/**
 * One history line per invocation and completion, exactly as Jepsen's list-append workload records them:
 *
 *   {"process":3,"type":"invoke","f":"txn","value":[["append","k1",3],["r","k2",null]]}
 *   {"process":3,"type":"ok","f":"txn","value":[["append","k1",3],["r","k2",[1,2]]]}
 *
 * A micro-op is `["append", key, element]` or `["r", key, list-or-null]`; keys and elements are strings or
 * numbers (Jepsen EDN `[:append 1 3]` imports as `["append",1,3]`). Elements are unique per key: the
 * checker's inference of who wrote what rests on it. `ok`: the completion's value holds what the reads
 * returned; `fail`: the transaction certainly did not happen; `info` (or no completion at all): it may have
 * happened, its reads are unknown. Ops whose `f` is not `txn` (nemesis, other workloads) are ignored.
 */
export type Elem = number | string;

export type Mop = { f: 'append'; key: string; value: Elem } | { f: 'r'; key: string; value: Elem[] | null };

export type TxnType = 'ok' | 'info' | 'fail';

export interface Txn {
  /** Dense 0-based id, in invocation order: the graph's vertex. */
  id: number;
  /** History index of the invocation (names the transaction in evidence: "op 12"). */
  invoke: number;
  /** History index of the completion; -1 when the history ends before it (treated as info). */
  complete: number;
  process: ProcessId;
  type: TxnType;
  /** ok: the completion's micro-ops (reads filled in); info and fail: the invocation's. */
  mops: Mop[];
}

/** Pairs invocations with completions by process; throws a usage error naming the line of a malformed txn. */
export function parseTxns(ops: readonly Op[], where: (i: number) => string = (i) => `op ${i}`): Txn[] {
  const open = new Map<ProcessId, Txn>();
  const txns: Txn[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.f !== 'txn') continue;
    if (op.type === 'invoke') {
      if (open.has(op.process)) throw usageError(`${where(i)}: process ${op.process} invokes a txn while its previous txn is still open`);
      const t: Txn = { id: txns.length, invoke: op.index, complete: -1, process: op.process, type: 'info', mops: parseMops(op.value, where(i), false) };
      txns.push(t);
      open.set(op.process, t);
      continue;
    }
    const t = open.get(op.process);
    if (t === undefined) throw usageError(`${where(i)}: a txn ${op.type} of process ${op.process} without an invocation`);
    open.delete(op.process);
    t.complete = op.index;
    t.type = op.type;
    if (op.type === 'ok') {
      const mops = parseMops(op.value, where(i), true);
      if (mops.length !== t.mops.length) throw usageError(`${where(i)}: the completion has ${mops.length} micro-ops, its invocation ${t.mops.length}`);
      t.mops = mops;
    }
  }
  return txns;
}

function parseMops(v: Json | undefined, at: string, completed: boolean): Mop[] {
  if (!Array.isArray(v)) throw usageError(`${at}: a txn's value must be a list of micro-ops like [["append","k1",3],["r","k2",null]], got ${show(v)}`);
  const out: Mop[] = [];
  for (const m of v) {
    if (!Array.isArray(m) || m.length !== 3) throw usageError(`${at}: a micro-op must be [f, key, value], got ${show(m)}`);
    const [f, k, x] = m;
    if (typeof k !== 'string' && typeof k !== 'number') throw usageError(`${at}: a micro-op's key must be a string or number, got ${show(k)}`);
    const key = String(k);
    if (f === 'append') {
      if (typeof x !== 'string' && typeof x !== 'number') throw usageError(`${at}: an append's element must be a string or number, got ${show(x)}`);
      out.push({ f: 'append', key, value: x });
    } else if (f === 'r') {
      // An ok read of null means the key was absent: as far as order goes, the empty list.
      if (x === null) out.push({ f: 'r', key, value: completed ? [] : null });
      else if (Array.isArray(x) && x.every((e) => typeof e === 'string' || typeof e === 'number')) out.push({ f: 'r', key, value: x as Elem[] });
      else throw usageError(`${at}: a read's value must be null or a list of elements, got ${show(x)}`);
    } else throw usageError(`${at}: a micro-op's f must be "append" or "r", got ${show(f)}`);
  }
  return out;
}

/** Elements as Elle prints them: `[1 2 3]`. */
export function showList(l: readonly Elem[] | null): string {
  if (l === null) return 'nil';
  return `[${l.map(showElem).join(' ')}]`;
}

export function showElem(e: Elem): string {
  return typeof e === 'number' ? String(e) : JSON.stringify(e);
}

/** A transaction as one line: `[append k1 3] [r k2 [1 2]]`. */
export function showMops(mops: readonly Mop[]): string {
  return mops.map((m) => (m.f === 'append' ? `[append ${m.key} ${showElem(m.value)}]` : `[r ${m.key} ${showList(m.value)}]`)).join(' ');
}

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
