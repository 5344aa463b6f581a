// The Elle-style list-append checker: non-cyclic anomalies, the dependency graph, its cycles, and a verdict.
import type { Op } from '../../history/op.js';
import type { Verdict } from '../result.js';
import { CONSISTENCY_MODELS, isStrict, rulesOut, type Consistency } from './consistency.js';
import { CYCLE_KINDS, CycleSearch, type Budget, type CycleKind } from './cycles.js';
import { describeTxn, explainCycle, plainGraph, refs, showListShort, type Facts, type GraphDescription, type TxnRef } from './explain.js';
import { DATA, GraphBuilder, PROC, RT, RW, sccs, WR, WW, type Graph } from './graph.js';
import { parseTxns, showElem, type Elem, type Txn } from './txn.js';
import { inferKeys } from './versions.js';

export interface ListAppendOptions {
  /** The model the history must satisfy (default strict-serializable). */
  consistency?: Consistency;
  /**
   * Edge relaxations the cycle search may spend in all (default 20 million, a few seconds). A huge
   * strongly connected component then ends the search with the anomalies found so far (`truncated`).
   */
  cycleBudget?: number;
  /** Anomalies listed per type with full evidence (default 8); `counts` has them all. */
  maxPerType?: number;
  /** Names an op for error messages, e.g. `FILE:LINE` (default `op INDEX`). */
  where?: (index: number) => string;
}

export interface Anomaly {
  type: string;
  /** The models this anomaly alone rules out, weakest first. */
  rulesOut: Consistency[];
  /** The transactions involved, named T1.. as the explanation names them. */
  txns: TxnRef[];
  key?: string;
  /** What happened, in words a person can check against the history. */
  explanation: string;
  graph: GraphDescription;
}

export interface ListAppendResult {
  valid: Verdict;
  consistency: Consistency;
  /** Every anomaly type found, with how many. */
  counts: Record<string, number>;
  /** Up to maxPerType anomalies of each type, most severe types first. */
  anomalies: Anomaly[];
  /** Every model some anomaly rules out, weakest first. */
  ruledOut: Consistency[];
  /** The cycle search ran out of budget: the cycles listed are those found so far. */
  truncated: boolean;
  /** Why the verdict is unknown, when it is. */
  unknownReason?: string;
  txns: number;
  edges: number;
  ms: number;
}

/** Checks a history of list-append txn ops (see txn.ts for the format). Pure: data in, data out. */
export function checkListAppend(ops: readonly Op[], options: ListAppendOptions = {}): ListAppendResult {
  const t0 = performance.now();
  const consistency = options.consistency ?? 'strict-serializable';
  const maxPerType = options.maxPerType ?? 8;
  const txns = parseTxns(ops, options.where);
  const keys = inferKeys(txns);
  const facts: Facts = { txns, keys };
  const found = new Collector(maxPerType);

  checkInternal(facts, found);
  checkReads(facts, found);
  checkLostAppends(facts, found);

  const graph = buildGraph(facts, isStrict(consistency));
  const budget: Budget = { remaining: options.cycleBudget ?? 20_000_000, exhausted: false };
  searchCycles(facts, graph, isStrict(consistency), budget, found);

  const ruled = new Set<Consistency>();
  for (const type of Object.keys(found.counts)) for (const m of rulesOut(type)) ruled.add(m);
  const ruledOut = CONSISTENCY_MODELS.filter((m) => ruled.has(m));
  const okTxns = txns.filter((t) => t.type === 'ok').length;
  let valid: Verdict = ruled.has(consistency) ? false : true;
  let unknownReason: string | undefined;
  if (valid === true && budget.exhausted) {
    valid = 'unknown';
    unknownReason = 'the cycle search ran out of budget before it had looked at every strongly connected component';
  } else if (valid === true && okTxns === 0) {
    valid = 'unknown';
    unknownReason = 'no transaction completed ok: there is nothing to check';
  }
  return { valid, consistency, counts: found.counts, anomalies: found.sorted(), ruledOut, truncated: budget.exhausted, ...(unknownReason ? { unknownReason } : {}), txns: txns.length, edges: graph.targets.length, ms: performance.now() - t0 };
}

/** Counts every anomaly, keeps the first few of each type with their evidence. */
class Collector {
  readonly counts: Record<string, number> = {};
  private readonly kept: Anomaly[] = [];
  constructor(private readonly maxPerType: number) {}

  /** `make` runs only for anomalies that will be listed: explanations cost more than counting. */
  add(type: string, make: () => Omit<Anomaly, 'type' | 'rulesOut'>): void {
    const n = (this.counts[type] = (this.counts[type] ?? 0) + 1);
    if (n <= this.maxPerType) this.kept.push({ type, rulesOut: rulesOut(type), ...make() });
  }

  /** Most damning first: by the weakest model ruled out, then by type name. */
  sorted(): Anomaly[] {
    const rank = (a: Anomaly): number => CONSISTENCY_MODELS.indexOf(a.rulesOut[0]!);
    return [...this.kept].sort((a, b) => rank(a) - rank(b) || a.type.localeCompare(b.type));
  }
}

function single(facts: Facts, ids: number[], key: string | undefined, text: (names: TxnRef[]) => string): Omit<Anomaly, 'type' | 'rulesOut'> {
  const named = refs(facts, ids);
  const explanation = [text(named), ...named.map((r) => `  ${describeTxn(r)}`)].join('\n');
  return { txns: named, ...(key !== undefined ? { key } : {}), explanation, graph: plainGraph(named) };
}

/**
 * Internal consistency: within one ok transaction, a read must show what the transaction already knows
 * of the key: its earlier read plus its own appends since, or (without an earlier read) end with its appends.
 */
function checkInternal(facts: Facts, found: Collector): void {
  for (const t of facts.txns) {
    if (t.type !== 'ok') continue;
    let known: Map<string, Elem[]> | undefined;
    let mine: Map<string, Elem[]> | undefined;
    for (const m of t.mops) {
      if (m.f === 'append') {
        const k = known?.get(m.key);
        if (k) k.push(m.value);
        else {
          mine ??= new Map();
          const a = mine.get(m.key);
          if (a) a.push(m.value);
          else mine.set(m.key, [m.value]);
        }
        continue;
      }
      const read = m.value ?? [];
      const expected = known?.get(m.key);
      const own = mine?.get(m.key);
      let bad: string | undefined;
      if (expected) {
        if (!sameList(read, expected)) bad = `it read ${m.key} = ${showListShort(read)}, but from its own earlier read and appends it must be ${showListShort(expected)}`;
      } else if (own && !endsWith(read, own)) {
        bad = `it appended ${own.map(showElem).join(', ')} to ${m.key} and then read ${m.key} = ${showListShort(read)}, which does not end with its own appends`;
      }
      if (bad !== undefined) {
        const why = bad;
        found.add('internal', () => single(facts, [t.id], m.key, (n) => `internal: ${n[0]!.name} contradicts itself: ${why}.`));
      }
      known ??= new Map();
      known.set(m.key, [...read]);
      mine?.delete(m.key);
    }
  }
}

/** Per key: incompatible orders, duplicates, aborted (G1a), intermediate (G1b) and garbage reads. */
function checkReads(facts: Facts, found: Collector): void {
  const { txns } = facts;
  for (const f of facts.keys.values()) {
    const seenBad = new Set<string>();
    for (const r of f.reads) {
      if (!r.prefix) {
        // One report per distinct incompatible value: many readers of the same wrong list are one story.
        const sig = r.value.join('\u0000');
        if (!seenBad.has(sig)) {
          seenBad.add(sig);
          found.add('incompatible-order', () =>
            single(facts, [f.longestBy, r.txn], f.key, (n) => `incompatible-order on ${f.key}: ${n[0]!.name} read ${f.key} = ${showListShort(f.order)} and ${n[1]!.name} read ${f.key} = ${showListShort(r.value)}; neither is a prefix of the other, so the two reads cannot come from one list that only grows.`),
          );
        }
      }
      const dups = duplicates(r.value);
      if (dups.length > 0) found.add('duplicate-elements', () => single(facts, [r.txn], f.key, (n) => `duplicate-elements on ${f.key}: ${n[0]!.name} read ${f.key} = ${showListShort(r.value)}, in which ${dups.map(showElem).join(', ')} appear${dups.length === 1 ? 's' : ''} more than once, though each was appended once.`));
      for (const e of r.value) {
        const w = f.writer.get(e);
        if (w === undefined) found.add('garbage-read', () => single(facts, [r.txn], f.key, (n) => `garbage-read on ${f.key}: ${n[0]!.name} read ${f.key} = ${showListShort(r.value)}, but no transaction ever appended ${showElem(e)} to ${f.key}.`));
        else if (txns[w]!.type === 'fail') found.add('G1a', () => single(facts, [w, r.txn], f.key, (n) => `G1a (aborted read) on ${f.key}: ${n[0]!.name} appended ${showElem(e)} to ${f.key} and failed, yet ${n[1]!.name} read ${f.key} = ${showListShort(r.value)}, which contains it.`));
      }
      const lastElem = r.value[r.value.length - 1];
      if (lastElem !== undefined && f.intermediate.has(lastElem)) {
        const w = f.writer.get(lastElem)!;
        if (w !== r.txn) found.add('G1b', () => single(facts, [w, r.txn], f.key, (n) => `G1b (intermediate read) on ${f.key}: ${n[0]!.name} appended ${showElem(lastElem)} to ${f.key} and then appended more to ${f.key}, yet ${n[1]!.name} read ${f.key} = ${showListShort(r.value)}, which ends at ${showElem(lastElem)}: it saw ${n[0]!.name} half done.`));
      }
    }
  }
}

/**
 * Lost appends: an ok append that no read of its key sees among the reads that began after it completed,
 * when there are such reads. Strict serializability requires each of them to contain it.
 */
function checkLostAppends(facts: Facts, found: Collector): void {
  const { txns } = facts;
  for (const f of facts.keys.values()) {
    if (f.reads.length === 0) continue;
    // Reads by invocation order, with the longest read length among each read and those after it.
    const reads = [...f.reads].sort((a, b) => txns[a.txn]!.invoke - txns[b.txn]!.invoke);
    const suffixMax = new Int32Array(reads.length + 1);
    for (let i = reads.length - 1; i >= 0; i--) suffixMax[i] = Math.max(suffixMax[i + 1]!, reads[i]!.value.length);
    for (const [value, w] of f.writer) {
      const t = txns[w]!;
      if (t.type !== 'ok') continue;
      const from = firstInvokedAfter(reads, txns, t.complete);
      if (from === reads.length) continue;
      const p = f.position.get(value);
      let seen: boolean;
      // Prefix-compatible reads contain the element exactly when they are longer than its position.
      if (!f.incompatible) seen = p !== undefined && suffixMax[from]! > p;
      else seen = reads.slice(from).some((r) => r.value.includes(value));
      if (seen) continue;
      const later = reads[from]!;
      const latest = reads.reduce((a, r) => (txns[r.txn]!.invoke > txns[a.txn]!.invoke ? r : a), later);
      found.add('lost-append', () =>
        single(facts, latest.txn === later.txn ? [w, later.txn] : [w, later.txn, latest.txn], f.key, (n) =>
          `lost-append on ${f.key}: ${n[0]!.name} appended ${showElem(value)} to ${f.key} and was acknowledged (op ${t.complete}), but none of the ${reads.length - from} read${reads.length - from === 1 ? '' : 's'} of ${f.key} invoked after that contain${reads.length - from === 1 ? 's' : ''} it: ${n[1]!.name} read ${f.key} = ${showListShort(later.value)}${n[2] ? `, and the last, ${n[2].name}, read ${showListShort(latest.value)}` : ''}.`,
        ),
      );
    }
  }
}

function firstInvokedAfter(reads: readonly { txn: number }[], txns: readonly Txn[], index: number): number {
  let lo = 0;
  let hi = reads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (txns[reads[mid]!.txn]!.invoke > index) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * ww: consecutive elements of a key's version order, by different writers (and the last element's writer
 * before each unread ok append). wr: an external read ends with another's element. rw: an external read
 * that is a prefix of the order ends just before another's element (or reads the whole order, before every
 * unread ok append). Strict models add real-time edges (a transitive reduction, as Elle builds it: the
 * transactions completed, not already followed by another completed one, before each invocation) and
 * each process's order. Failed transactions are not vertices: they did not happen.
 */
function buildGraph(facts: Facts, strict: boolean): Graph {
  const { txns } = facts;
  const g = new GraphBuilder(txns.length);
  const live = (id: number | undefined): id is number => id !== undefined && txns[id]!.type !== 'fail';
  for (const f of facts.keys.values()) {
    const { order, writer } = f;
    for (let i = 0; i + 1 < order.length; i++) {
      const a = writer.get(order[i]!);
      const b = writer.get(order[i + 1]!);
      if (live(a) && live(b)) g.add(a, b, WW);
    }
    const lastWriter = order.length > 0 ? writer.get(order[order.length - 1]!) : undefined;
    if (!f.incompatible && live(lastWriter)) for (const u of f.unread) g.add(lastWriter, u.txn, WW);
    for (const r of f.reads) {
      if (!r.ext) continue;
      const n = r.value.length;
      if (n > 0) {
        const w = writer.get(r.value[n - 1]!);
        if (live(w)) g.add(w, r.txn, WR);
      }
      if (!r.prefix || f.incompatible) continue;
      if (n < order.length) {
        const w = writer.get(order[n]!);
        if (live(w)) g.add(r.txn, w, RW);
      } else for (const u of f.unread) g.add(r.txn, u.txn, RW);
    }
  }
  if (strict) addTimeEdges(txns, g);
  return g.build();
}

function addTimeEdges(txns: readonly Txn[], g: GraphBuilder): void {
  // Events in history order: invocations and ok completions (info never completes: it only follows others).
  const events: number[] = [];
  for (const t of txns) {
    if (t.type === 'fail') continue;
    events.push(t.invoke * 2 + 1);
    if (t.type === 'ok') events.push(t.complete * 2);
  }
  const byIndex = new Map<number, Txn>();
  for (const t of txns) {
    byIndex.set(t.invoke, t);
    if (t.complete >= 0) byIndex.set(t.complete, t);
  }
  events.sort((a, b) => a - b);
  const frontier = new Set<number>();
  const preds = new Map<number, number[]>();
  for (const e of events) {
    const t = byIndex.get(e >> 1)!;
    if (e & 1) {
      const p = [...frontier];
      for (const a of p) g.add(a, t.id, RT);
      preds.set(t.id, p);
    } else {
      // Once t has completed, whatever preceded t is implied through t for everything invoked from now on.
      for (const a of preds.get(t.id)!) frontier.delete(a);
      preds.delete(t.id);
      frontier.add(t.id);
    }
  }
  const lastOf = new Map<Txn['process'], number>();
  for (const t of txns) {
    if (t.type === 'fail') continue;
    const prev = lastOf.get(t.process);
    if (prev !== undefined) g.add(prev, t.id, PROC);
    lastOf.set(t.process, t.id);
  }
}

/**
 * Shortest cycle of each kind in each strongly connected component, as Elle reports them: G0 and G1c in
 * the components of ww ∪ wr, the rw kinds in those of ww ∪ wr ∪ rw, and for strict models the realtime and
 * process variants in the components of all edges. A component that yields no cycle because the budget
 * ran out is still reported: it proves some cycle (cycle-exists-*).
 */
function searchCycles(facts: Facts, g: Graph, strict: boolean, budget: Budget, found: Collector): void {
  const search = new CycleSearch(g);
  const plan: { allowed: number; kinds: readonly CycleKind[]; timed: boolean; fallback: string }[] = [
    { allowed: WW | WR, kinds: ['G0', 'G1c'], timed: false, fallback: 'cycle-exists-G1' },
    { allowed: DATA, kinds: ['G-single', 'G-nonadjacent', 'G2-item'], timed: false, fallback: 'cycle-exists-G2' },
  ];
  if (strict) plan.push({ allowed: DATA | RT | PROC, kinds: CYCLE_KINDS, timed: true, fallback: 'cycle-exists-realtime' });
  // Vertices already in a named cycle: a component containing one needs no cycle-exists fallback.
  const inCycle = new Set<number>();
  for (const { allowed, kinds, timed, fallback } of plan) {
    for (const comp of sccs(g, allowed)) {
      let any = comp.some((v) => inCycle.has(v));
      for (const kind of kinds) {
        if (budget.exhausted) break;
        const c = search.shortest(comp, allowed, kind, timed, budget);
        if (!c) continue;
        any = true;
        for (const v of c.nodes) inCycle.add(v);
        found.add(c.type, () => {
          const ex = explainCycle(facts, c.type, c.nodes, c.labels, rulesOut(c.type));
          return { txns: refs(facts, c.nodes), explanation: ex.text, graph: ex.graph };
        });
      }
      if (!any && budget.exhausted) {
        found.add(fallback, () => {
          const shown = comp.slice(0, 12);
          const r = single(facts, shown, undefined, () => `${fallback}: these ${comp.length} transactions form a strongly connected component of ${timed ? 'all edges' : allowed === DATA ? 'ww, wr and rw edges' : 'ww and wr edges'}, so a cycle runs through them, but the search ran out of budget before naming it${comp.length > shown.length ? ` (the first ${shown.length} are listed)` : ''}.`);
          return r;
        });
      }
    }
  }
}

function sameList(a: readonly Elem[], b: readonly Elem[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function endsWith(a: readonly Elem[], tail: readonly Elem[]): boolean {
  if (tail.length > a.length) return false;
  const off = a.length - tail.length;
  return tail.every((x, i) => a[off + i] === x);
}

function duplicates(l: readonly Elem[]): Elem[] {
  if (l.length < 2) return [];
  const seen = new Set<Elem>();
  const dup = new Set<Elem>();
  for (const e of l) (seen.has(e) ? dup : seen).add(e);
  return [...dup];
}
