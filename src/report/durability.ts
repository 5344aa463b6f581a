// Durability from the final reads alone: acknowledged writes that the value every node agrees on at the end
// rules out. Separate from the linearizability verdict, which also fails on dirty and stale reads during the run.
import type { Json } from '../history/op.js';
import type { Call } from './calls.js';

export interface LostWrite {
  key: string;
  /** History index of the write's invocation. */
  id: number;
  f: string;
  value: Json;
  node?: string;
  invokeS: number;
  completeS: number;
  /** What the final reads agree the key holds. */
  finalValue: Json;
}

export interface DurabilityFigures {
  /** Keys whose final reads (ok, on any node) all returned one value. */
  keysAgreed: number;
  /** Keys whose nodes answered different values in the final reads. */
  divergent: { key: string; values: Record<string, Json> }[];
  /** Acknowledged writes lost, oldest first (at most MAX_LISTED). */
  lost: LostWrite[];
  lostCount: number;
  /** Keys with at least one lost write. */
  lostKeys: number;
}

const MAX_LISTED = 50;
const S = 1e9;

/**
 * A final value F can only be there if one of the writes that produce it (or the initial state) took effect
 * last. When every such write had already been answered before an acknowledged write W was invoked, W took
 * effect after all of them, so the store should hold W's value or a later one — F means W was lost. Writes
 * with an unknown outcome may take effect at any time, so they count as never finished: the rule never
 * blames a store for what an indeterminate write could explain.
 *
 * Register workloads (read/write/cas) and kv (get/put/append, with appended tokens unique per op). Other
 * workloads have checkers of their own for lost elements (set-full, list-append), so this returns null.
 */
export function lostWrites(calls: readonly Call[], finalFromNs: number | undefined, initial: Json = null): DurabilityFigures | null {
  if (finalFromNs === undefined) return null;
  const kind = calls.some((c) => c.f === 'append' || c.f === 'put') ? 'kv' : calls.some((c) => c.f === 'write' || c.f === 'cas') ? 'register' : null;
  if (kind === null) return null;
  const byKey = new Map<string, Call[]>();
  for (const c of calls) {
    if (c.key === undefined) continue;
    const list = byKey.get(c.key);
    if (list) list.push(c);
    else byKey.set(c.key, [c]);
  }
  const out: DurabilityFigures = { keysAgreed: 0, divergent: [], lost: [], lostCount: 0, lostKeys: 0 };
  const lost: LostWrite[] = [];
  for (const [key, cs] of byKey) {
    const finals = cs.filter((c) => c.invoke >= finalFromNs && c.outcome === 'ok' && (c.f === 'read' || c.f === 'get'));
    if (finals.length === 0) continue;
    const values = new Map(finals.map((c) => [JSON.stringify(c.value ?? null), c]));
    if (values.size > 1) {
      out.divergent.push({ key, values: Object.fromEntries(finals.map((c) => [c.node ?? `process ${c.process}`, c.value ?? null])) });
      continue;
    }
    out.keysAgreed++;
    const final = finals[0]!.value ?? null;
    const writes = cs.filter((c) => c.invoke < finalFromNs && c.outcome !== 'fail' && (c.f === 'write' || c.f === 'put' || c.f === 'append' || (c.f === 'cas' && c.succeeded !== false)));
    for (const w of kind === 'register' ? registerLosses(writes, final, initial) : kvLosses(writes, final, initial)) {
      lost.push({ key, id: w.id, f: w.f, value: w.value ?? null, ...(w.node ? { node: w.node } : {}), invokeS: w.invoke / S, completeS: w.complete! / S, finalValue: final });
    }
  }
  lost.sort((a, b) => a.invokeS - b.invokeS);
  out.lostCount = lost.length;
  out.lostKeys = new Set(lost.map((l) => l.key)).size;
  out.lost = lost.slice(0, MAX_LISTED);
  return out;
}

const same = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const written = (c: Call): Json => (c.f === 'cas' && Array.isArray(c.value) ? (c.value[1] ?? null) : (c.value ?? null));
const acked = (c: Call): boolean => c.outcome === 'ok' && c.complete !== undefined;

/** When the last write that could have left `made` finished: Infinity if any of them has an unknown outcome. */
function lastEnd(producers: readonly Call[], fromInitial: boolean): number | undefined {
  // The initial value was there before the first op was invoked (history time 0 at the earliest).
  let end = fromInitial ? -1 : -Infinity;
  for (const c of producers) end = Math.max(end, acked(c) ? c.complete! : Infinity);
  return end === -Infinity ? undefined : end;
}

function registerLosses(writes: readonly Call[], final: Json, initial: Json): Call[] {
  const end = lastEnd(writes.filter((c) => same(written(c), final)), same(final, initial));
  // A value no write produced is not a durability question (the linearizability verdict covers it).
  if (end === undefined) return [];
  return writes.filter((c) => acked(c) && !same(written(c), final) && c.invoke > end);
}

/**
 * kv: the final string is the last put that took effect (or the initial value) followed by the appends after
 * it. An acknowledged append is lost if its token is missing and that put had finished before it began; an
 * acknowledged put is lost if it is not the base and began after the base's puts had all finished.
 */
function kvLosses(writes: readonly Call[], final: Json, initial: Json): Call[] {
  if (typeof final !== 'string' && final !== null) return [];
  const text = final ?? '';
  const puts = writes.filter((c) => c.f === 'put' && typeof c.value === 'string');
  // The longest put value the final string starts with. None: no put took effect last (kv has no delete), so
  // the base is the initial value.
  let base: string | null = null;
  for (const p of puts) if (text.startsWith(p.value as string) && (base === null || (p.value as string).length > base.length)) base = p.value as string;
  const fromInitial = base === null && (initial === null || (typeof initial === 'string' && text.startsWith(initial)));
  const end = lastEnd(base === null ? [] : puts.filter((p) => p.value === base), fromInitial);
  if (end === undefined) return [];
  const rest = text.slice(base?.length ?? (typeof initial === 'string' ? initial.length : 0));
  return writes.filter((c) => {
    if (!acked(c) || c.invoke <= end) return false;
    if (c.f === 'append') return typeof c.value === 'string' && !rest.includes(c.value);
    return c.f === 'put' && c.value !== base;
  });
}

/** One line for the terminal and the report: what the final reads show, in words. */
export function durabilityLine(d: DurabilityFigures): string {
  const parts = [`durability: the final reads agree on ${d.keysAgreed} key${d.keysAgreed === 1 ? '' : 's'}`];
  if (d.lostCount === 0) parts.push('no acknowledged write is missing from them');
  else {
    const first = d.lost[0]!;
    parts.push(`${d.lostCount} acknowledged write${d.lostCount === 1 ? ' was' : 's were'} lost on ${d.lostKeys} key${d.lostKeys === 1 ? '' : 's'} (first: ${first.f} ${JSON.stringify(first.value)} on ${first.key}${first.node ? ` via ${first.node}` : ''}, acknowledged at ${first.completeS.toFixed(3)} s, yet ${first.key} ends at ${JSON.stringify(first.finalValue)})`);
  }
  if (d.divergent.length > 0) {
    const v = d.divergent[0]!;
    parts.push(`the nodes disagree on ${d.divergent.length} key${d.divergent.length === 1 ? '' : 's'} (${v.key}: ${Object.entries(v.values).map(([n, x]) => `${n} ${JSON.stringify(x)}`).join(', ')})`);
  }
  return parts.join('; ');
}
