// Jepsen's set-full checker: adds of unique elements, whole-set reads; per element when it was added, seen, lost.
import type { Json, Op, ProcessId } from '../../history/op.js';
import type { Verdict } from '../result.js';

/**
 * History: `{"f":"add","value":5}` (invoke, then ok / fail / info) and `{"f":"read","value":null}`
 * completing ok with the whole set, `{"f":"read","value":[1,2,5]}`. Elements are unique numbers or strings.
 * Reads are compared in invocation order; an element is *known* from its add's ok completion or the
 * completion of the first read that shows it, whichever is earlier. Classes, per element known to exist:
 * - ok: every read invoked after it was known contains it;
 * - stale: some of those reads, before the first that shows it, lack it (it became visible late);
 * - recovered: after a read showed it, a later read lacked it, and a still later one showed it again;
 * - lost: the last read invoked after it was known lacks it;
 * - never-read: no read was invoked after it was known (nothing to judge it by).
 * And: unexpected (read, but never added, or its add failed), duplicated (twice in one read).
 * Adds that ended info and never show up in a read are `unconfirmed`: they may not have happened.
 */
export type SetClass = 'ok' | 'stale' | 'recovered' | 'lost' | 'never-read' | 'unexpected';

export interface ElementReport {
  element: number | string;
  class: SetClass;
  /** How its add ended (`none`: no add in the history). */
  add: 'ok' | 'info' | 'fail' | 'none';
  /** History index of the add's invocation, and ns times. */
  addOp?: number;
  addInvokeNs?: number;
  knownNs?: number;
  /** Invocation time (ns) of the first and last read showing it. */
  firstSeenNs?: number;
  lastSeenNs?: number;
  /** First seen minus add invoked, ns (0 when a read invoked before the add already showed it). */
  latencyNs?: number;
  /** Reads invoked after it was known that lacked it. */
  missingReads: number;
}

export interface SetProblem {
  kind: SetClass | 'duplicated';
  element: number | string;
  explanation: string;
}

export interface SetFullResult {
  valid: Verdict;
  counts: Record<SetClass | 'duplicated' | 'unconfirmed', number>;
  /** Every element that was added or read, in order of first appearance. */
  elements: ElementReport[];
  /** Explanations of the first few lost, unexpected, duplicated, stale and recovered elements. */
  problems: SetProblem[];
  /** Add-to-first-visible latency quantiles over elements seen, ns. */
  latency: { p50: number; p95: number; p99: number; max: number } | null;
  reads: number;
  ms: number;
}

export interface SetFullOptions {
  /**
   * Linearizable sets (etcd, antietcd) must show an element in every read begun after it was known, so
   * stale and recovered elements are invalid; an eventually consistent set only needs to not lose them.
   * Default true.
   */
  linearizable?: boolean;
  maxProblems?: number;
}

interface ReadRec {
  index: number;
  invokeNs: number;
  completeNs: number;
  completeIndex: number;
  elements: (number | string)[];
}

interface AddRec {
  op: number;
  type: 'ok' | 'info' | 'fail';
  invokeNs: number;
  completeIndex: number;
  completeNs: number;
}

export function checkSetFull(ops: readonly Op[], options: SetFullOptions = {}): SetFullResult {
  const t0 = performance.now();
  const linearizable = options.linearizable ?? true;
  const maxProblems = options.maxProblems ?? 20;
  const { adds, reads } = pair(ops);
  const counts: SetFullResult['counts'] = { ok: 0, stale: 0, recovered: 0, lost: 0, 'never-read': 0, unexpected: 0, duplicated: 0, unconfirmed: 0 };
  const problems: SetProblem[] = [];
  const problem = (kind: SetProblem['kind'], element: number | string, text: string): void => {
    if (problems.filter((p) => p.kind === kind).length < maxProblems) problems.push({ kind, element, explanation: text });
  };

  // Where each element appears: the positions (in invocation order) of the reads containing it.
  const seenAt = new Map<number | string, number[]>();
  for (let i = 0; i < reads.length; i++) {
    const r = reads[i]!;
    const inThis = new Set<number | string>();
    for (const e of r.elements) {
      if (inThis.has(e)) {
        counts.duplicated++;
        problem('duplicated', e, `read at op ${r.index} contains ${show(e)} more than once`);
        continue;
      }
      inThis.add(e);
      let at = seenAt.get(e);
      if (!at) seenAt.set(e, (at = []));
      at.push(i);
    }
  }

  const elements: ElementReport[] = [];
  const latencies: number[] = [];
  const order = new Set<number | string>([...adds.keys(), ...seenAt.keys()]);
  for (const e of order) {
    const add = adds.get(e);
    const at = seenAt.get(e) ?? [];
    const report: ElementReport = { element: e, class: 'ok', add: add ? add.type : 'none', missingReads: 0 };
    if (add) {
      report.addOp = add.op;
      report.addInvokeNs = add.invokeNs;
    }
    if (at.length > 0) {
      report.firstSeenNs = reads[at[0]!]!.invokeNs;
      report.lastSeenNs = reads[at[at.length - 1]!]!.invokeNs;
      if (add) {
        report.latencyNs = Math.max(0, report.firstSeenNs - add.invokeNs);
        latencies.push(report.latencyNs);
      }
    }
    if (!add || add.type === 'fail') {
      if (at.length === 0) continue; // a failed add nobody saw: it did not happen, as promised
      report.class = 'unexpected';
      counts.unexpected++;
      problem('unexpected', e, `${show(e)} is in the read at op ${reads[at[0]!]!.index} but ${add ? `its add (op ${add.op}) failed` : 'was never added'}`);
      elements.push(report);
      continue;
    }
    // Known from the add's completion or the first read showing it, whichever came first (history order).
    let knownIndex = add.type === 'ok' ? add.completeIndex : Infinity;
    let knownNs = add.type === 'ok' ? add.completeNs : Infinity;
    if (at.length > 0 && reads[at[0]!]!.completeIndex < knownIndex) {
      knownIndex = reads[at[0]!]!.completeIndex;
      knownNs = reads[at[0]!]!.completeNs;
    }
    if (knownIndex === Infinity) {
      counts.unconfirmed++;
      continue;
    }
    report.knownNs = knownNs;
    const from = firstInvokedAfter(reads, knownIndex);
    if (from === reads.length) {
      report.class = 'never-read';
      counts['never-read']++;
      elements.push(report);
      continue;
    }
    const after = at.filter((i) => i >= from);
    report.missingReads = reads.length - from - after.length;
    if (after.length === 0 || after[after.length - 1] !== reads.length - 1) {
      report.class = 'lost';
      const last = after.length > 0 ? reads[after[after.length - 1]!]! : undefined;
      problem('lost', e, `${show(e)} was known at ${knownNs} ns (${add.type === 'ok' && knownIndex === add.completeIndex ? `its add, op ${add.op}, completed` : 'a read showed it'}), ${last ? `last seen in the read at op ${last.index}, ` : ''}and the last read (op ${reads[reads.length - 1]!.index}) lacks it: lost`);
    } else if (after[0] !== from) {
      // Absent from the first reads after it was known, then present: visible late.
      report.class = 'stale';
      if (hasGap(after)) report.class = 'recovered';
    } else if (hasGap(after)) report.class = 'recovered';
    if (report.class === 'stale' || report.class === 'recovered') {
      problem(report.class, e, `${show(e)} was known at ${knownNs} ns (op ${knownIndex}), yet ${report.missingReads} read${report.missingReads === 1 ? '' : 's'} invoked after that lack it${report.class === 'recovered' ? ', some after reads that showed it (it disappeared and came back)' : ' (it became visible late)'}; the first read lacking it is op ${reads[firstMissing(after, from)]!.index}`);
    }
    counts[report.class]++;
    elements.push(report);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  let valid: Verdict = counts.lost + counts.unexpected + counts.duplicated === 0 && (!linearizable || counts.stale + counts.recovered === 0);
  if (valid && reads.length === 0) valid = 'unknown';
  return { valid, counts, elements, problems, latency: latencies.length ? { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: latencies[latencies.length - 1]! } : null, reads: reads.length, ms: performance.now() - t0 };
}

/** Sorted read positions with a hole between the first and last: missing in between. */
function hasGap(after: readonly number[]): boolean {
  return after.length > 0 && after[after.length - 1]! - after[0]! + 1 !== after.length;
}

function firstMissing(after: readonly number[], from: number): number {
  let want = from;
  for (const i of after) {
    if (i !== want) return want;
    want++;
  }
  return want;
}

function firstInvokedAfter(reads: readonly ReadRec[], index: number): number {
  let lo = 0;
  let hi = reads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reads[mid]!.index > index) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function pair(ops: readonly Op[]): { adds: Map<number | string, AddRec>; reads: ReadRec[] } {
  const open = new Map<ProcessId, Op>();
  const adds = new Map<number | string, AddRec>();
  const reads: ReadRec[] = [];
  for (const op of ops) {
    if (op.f !== 'add' && op.f !== 'read') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    if (!inv) continue;
    open.delete(op.process);
    if (op.f === 'add') {
      const e = elem(inv.value);
      if (e !== undefined) adds.set(e, { op: inv.index, type: op.type, invokeNs: inv.time, completeIndex: op.index, completeNs: op.time });
    } else if (op.type === 'ok' && Array.isArray(op.value)) {
      reads.push({ index: inv.index, invokeNs: inv.time, completeNs: op.time, completeIndex: op.index, elements: op.value.map(elem).filter((x): x is number | string => x !== undefined) });
    }
  }
  // Adds still open at the end may have happened: like info.
  for (const inv of open.values()) {
    const e = inv.f === 'add' ? elem(inv.value) : undefined;
    if (e !== undefined) adds.set(e, { op: inv.index, type: 'info', invokeNs: inv.time, completeIndex: -1, completeNs: -1 });
  }
  reads.sort((a, b) => a.index - b.index);
  return { adds, reads };
}

function elem(v: Json | undefined): number | string | undefined {
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

function show(e: number | string): string {
  return typeof e === 'number' ? String(e) : JSON.stringify(e);
}
