// Puts list-append evidence into words: why each edge exists, each cycle as a story, and a drawable graph.
import { LABEL_NAMES, PROC, RT, RW, WR, WW } from './graph.js';
import { showElem, showMops, type Elem, type Txn } from './txn.js';
import type { KeyFacts } from './versions.js';

/** A transaction as evidence names it: T1, T2 ... within one anomaly, with where to find it in the history. */
export interface TxnRef {
  name: string;
  /** History index of the invocation. */
  op: number;
  /** History index of the completion (-1: none). */
  completion: number;
  process: number | string;
  type: Txn['type'];
  /** The micro-ops, as `[append k1 3] [r k2 [1 2]]`. */
  mops: string;
}

/** Nodes and labelled edges: what a report draws for one anomaly. */
export interface GraphDescription {
  nodes: { id: string; op: number; process: number | string; type: Txn['type']; label: string }[];
  edges: { from: string; to: string; type: string; key?: string; label: string }[];
}

export interface Facts {
  txns: readonly Txn[];
  keys: ReadonlyMap<string, KeyFacts>;
}

/** Names the given transactions T1..Tn in order. */
export function refs(facts: Facts, ids: readonly number[]): TxnRef[] {
  return ids.map((id, i) => {
    const t = facts.txns[id]!;
    return { name: `T${i + 1}`, op: t.invoke, completion: t.complete, process: t.process, type: t.type, mops: showMops(t.mops) };
  });
}

export function describeTxn(r: TxnRef): string {
  const at = r.completion >= 0 ? `ops ${r.op}–${r.completion}` : `op ${r.op}, never completed`;
  return `${r.name} (${at}, process ${r.process}, ${r.type}): ${r.mops}`;
}

/** Long lists keep their tail, which is where the evidence is: `[… 12 more, 13 14 15 16]`. */
export function showListShort(l: readonly Elem[]): string {
  if (l.length <= 10) return `[${l.map(showElem).join(' ')}]`;
  return `[… ${l.length - 6} more, ${l.slice(-6).map(showElem).join(' ')}]`;
}

export interface EdgeReason {
  key?: string;
  text: string;
}

/**
 * Why a → b carries `label`, in words, naming a and b as `na` and `nb`. The edge was inferred from the
 * same facts, so some micro-op pair explains it; the search looks at a's and b's micro-ops only.
 */
export function explainEdge(facts: Facts, a: number, b: number, label: number, na: string, nb: string): EdgeReason {
  const ta = facts.txns[a]!;
  const tb = facts.txns[b]!;
  const arrow = `${na} ${LABEL_NAMES[label]}→ ${nb}`;
  if (label === RT) return { text: `${na} completed (op ${ta.complete}) before ${nb} was invoked (op ${tb.invoke}), so ${na} precedes ${nb} in real time: ${arrow}` };
  if (label === PROC) return { text: `${na} and ${nb} ran one after the other on process ${String(ta.process)}: ${arrow}` };
  if (label === WW) {
    for (const m of tb.mops) {
      if (m.f !== 'append') continue;
      const f = facts.keys.get(m.key)!;
      const p = f.position.get(m.value);
      if (p !== undefined) {
        let q = p - 1;
        while (q >= 0 && f.writer.get(f.order[q]!) === b) q--;
        if (q >= 0 && f.writer.get(f.order[q]!) === a) {
          return { key: m.key, text: `${na} appended ${showElem(f.order[q]!)} to ${m.key} and ${nb} appended ${showElem(m.value)} after it (the longest read of ${m.key} is ${showListShort(f.order)}), so ${nb}'s write follows ${na}'s: ${arrow}` };
        }
      } else if (!f.incompatible && f.order.length > 0 && f.writer.get(f.order[f.order.length - 1]!) === a) {
        const lastElem = f.order[f.order.length - 1]!;
        return { key: m.key, text: `${na} appended ${showElem(lastElem)} to ${m.key}, the last element any read of ${m.key} saw, and ${nb}'s acknowledged append of ${showElem(m.value)} to ${m.key} was never read, so it came after: ${arrow}` };
      }
    }
  }
  if (label === WR) {
    for (const r of readsOf(facts, b)) {
      if (!r.ext || r.value.length === 0) continue;
      const e = r.value[r.value.length - 1]!;
      if (facts.keys.get(r.key)!.writer.get(e) === a) {
        return { key: r.key, text: `${na} appended ${showElem(e)} to ${r.key} and ${nb} read ${r.key} = ${showListShort(r.value)}, so ${nb} read ${na}'s write: ${arrow}` };
      }
    }
  }
  if (label === RW) {
    for (const r of readsOf(facts, a)) {
      if (!r.ext) continue;
      const f = facts.keys.get(r.key)!;
      if (f.incompatible) continue;
      const n = r.value.length;
      if (n < f.order.length && f.writer.get(f.order[n]!) === b) {
        return { key: r.key, text: `${nb} appended ${showElem(f.order[n]!)} to ${r.key} and ${na} read ${r.key} = ${showListShort(r.value)}, so ${na} read before ${nb}'s write: ${arrow}` };
      }
      if (n === f.order.length) {
        const u = f.unread.find((x) => x.txn === b);
        if (u) return { key: r.key, text: `${na} read ${r.key} = ${showListShort(r.value)}, the longest read of ${r.key}, and ${nb}'s acknowledged append of ${showElem(u.value)} to ${r.key} was never read, so ${na} read before ${nb}'s write: ${arrow}` };
      }
    }
  }
  // Unreachable while edges and their explanations come from the same facts; say so rather than guess.
  return { text: `${arrow} (no micro-op pair found to explain this edge: a bug in the checker)` };
}

function readsOf(facts: Facts, id: number): { key: string; value: Elem[]; ext: boolean }[] {
  const out: { key: string; value: Elem[]; ext: boolean }[] = [];
  const appended = new Set<string>();
  for (const m of facts.txns[id]!.mops) {
    if (m.f === 'append') appended.add(m.key);
    else if (m.value !== null) out.push({ key: m.key, value: m.value, ext: !appended.has(m.key) });
  }
  return out;
}

/** What each cycle kind means, for the first line of its explanation. */
export const CYCLE_MEANING: Readonly<Record<string, string>> = {
  G0: 'write cycle: the transactions\' appends interleave in an order no serial execution gives',
  G1c: 'circular information flow: each transaction saw the other\'s effects',
  'G-single': 'read skew: a dependency cycle with exactly one anti-dependency (rw) edge',
  'G-nonadjacent': 'a dependency cycle with several rw edges, no two adjacent',
  'G2-item': 'write skew: a dependency cycle with two or more rw edges, some adjacent',
};

export interface CycleExplanation {
  text: string;
  graph: GraphDescription;
}

/** A cycle as Elle prints it: the transactions, then each edge with its reason, then the contradiction. */
export function explainCycle(facts: Facts, type: string, nodes: readonly number[], labels: readonly number[], rulesOut: readonly string[]): CycleExplanation {
  const named = refs(facts, nodes);
  const base = type.replace(/-(realtime|process)$/, '');
  const timed = base !== type ? ` (with ${type.endsWith('realtime') ? 'real-time' : 'process'} order)` : '';
  const lines = [`${type}: ${CYCLE_MEANING[base] ?? 'a dependency cycle'}${timed}, among ${nodes.length} transactions:`];
  for (const r of named) lines.push(`  ${describeTxn(r)}`);
  const edges: GraphDescription['edges'] = [];
  for (let i = 0; i < nodes.length; i++) {
    const j = (i + 1) % nodes.length;
    const why = explainEdge(facts, nodes[i]!, nodes[j]!, labels[i]!, named[i]!.name, named[j]!.name);
    lines.push(`  - ${why.text}`);
    edges.push({ from: named[i]!.name, to: named[j]!.name, type: LABEL_NAMES[labels[i]!]!, ...(why.key !== undefined ? { key: why.key } : {}), label: why.text });
  }
  lines.push(`  Hence ${[...named.map((r) => r.name), named[0]!.name].join(' < ')}: no order of these transactions satisfies every edge. Rules out ${rulesOut.join(', ')}.`);
  return {
    text: lines.join('\n'),
    graph: { nodes: named.map((r) => ({ id: r.name, op: r.op, process: r.process, type: r.type, label: r.mops })), edges },
  };
}

/** The drawable graph of a non-cyclic anomaly: its transactions, no edges. */
export function plainGraph(named: readonly TxnRef[]): GraphDescription {
  return { nodes: named.map((r) => ({ id: r.name, op: r.op, process: r.process, type: r.type, label: r.mops })), edges: [] };
}
