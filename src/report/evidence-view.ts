// What the report draws for a non-linearizable key: ops per process near the failure, the prefix, the stuck point.
import type { CheckResult, PartitionResult } from '../checker/result.js';
import type { Json } from '../history/op.js';
import type { AnomalyEvidence } from '../checker/elle/run.js';
import type { Call } from './calls.js';

export interface EvidenceOp {
  /** History index of the invocation. */
  id: number;
  process: number;
  f: string;
  startS: number;
  /** null: no completion (indeterminate until the end). */
  endS: number | null;
  outcome: string;
  description: string;
}

export interface KeyEvidence {
  key: string | null;
  opsInKey: number;
  /** The ops drawn: those around where the linearization got stuck (at most MAX_OPS). */
  ops: EvidenceOp[];
  /** Length of the longest linearizable prefix, and its last steps (op id, description, state after). */
  prefixLength: number;
  prefix: { op: number; description: string; state: string }[];
  /** State after the prefix, and the ops that could not be placed next (legal: false = the model rejects it). */
  stuck: { state: string; frontier: number | null; candidates: { op: number; description: string; legal: boolean }[] } | null;
  /** The anomaly in plain words: which op, on which node, when, saw what, and which acknowledged write it contradicts. */
  explanation: string[];
}

export interface EvidenceFile {
  valid: CheckResult['valid'] | 'unknown';
  keys: KeyEvidence[];
  /** Elle's findings (list-append, set-full, watch runs): each in words, cycles with their graph. */
  anomalies?: AnomalyEvidence[];
}

const MAX_OPS = 240;
const PREFIX_TAIL = 40;

function describe(c: Call): string {
  const v = c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`;
  return `${c.f}${v}${c.succeeded === false ? ' (cas failed)' : ''}`;
}

function keyEvidence(p: PartitionResult, calls: readonly Call[]): KeyEvidence {
  const inKey = calls.filter((c) => (c.key ?? null) === p.key && c.outcome !== 'fail');
  const byId = new Map(inKey.map((c) => [c.id, c]));
  const linearized = p.linearized ?? [];
  const tail = linearized.slice(-PREFIX_TAIL);
  const focus = [...tail.map((s) => s.op), ...(p.stuck?.candidates.map((c) => c.op) ?? []), ...(p.stuck?.frontier != null ? [p.stuck.frontier] : [])];
  const focusCalls = focus.map((id) => byId.get(id)).filter((c): c is Call => c !== undefined);
  let from = Math.min(...focusCalls.map((c) => c.invoke));
  let to = Math.max(...focusCalls.map((c) => c.complete ?? c.invoke));
  if (!Number.isFinite(from)) {
    from = 0;
    to = Infinity;
  }
  const desc = new Map<number, string>();
  for (const s of linearized) desc.set(s.op, s.description);
  for (const c of p.stuck?.candidates ?? []) desc.set(c.op, c.description);
  const near = inKey.filter((c) => c.invoke <= to && (c.complete ?? Infinity) >= from);
  // Keep the focus ops first when trimming, then the closest others.
  const keep = new Set(focusCalls);
  for (const c of near) if (keep.size < MAX_OPS) keep.add(c);
  const ops = [...keep]
    .sort((a, b) => a.invoke - b.invoke)
    .map((c) => ({
      id: c.id,
      process: c.process,
      f: c.f,
      startS: c.invoke / 1e9,
      endS: c.complete === undefined || c.outcome === 'info' ? null : c.complete / 1e9,
      outcome: c.outcome,
      description: desc.get(c.id) ?? describe(c),
    }));
  return { key: p.key, opsInKey: inKey.length, ops, prefixLength: linearized.length, prefix: tail, stuck: p.stuck ?? null, explanation: explain(p, byId, desc) };
}

/** The value a write or cas meant to leave, whatever its outcome. */
function intended(c: Call): Json | undefined {
  if (c.f === 'cas') return Array.isArray(c.value) ? (c.value[1] ?? null) : undefined;
  return c.value ?? null;
}

/** The register value an ok op settled: what a read saw, what a write or a successful cas wrote. */
function settled(c: Call): Json | undefined {
  if (/^(read|get)$/.test(c.f)) return c.value ?? null;
  if (c.f === 'write' || c.f === 'put') return c.value ?? null;
  if (c.f === 'cas' && Array.isArray(c.value) && c.succeeded !== false) return c.value[1] ?? null;
  return undefined;
}

const secs = (ns: number): string => `${(ns / 1e9).toFixed(3)} s`;
const shown = (v: Json | undefined): string => (v === undefined || v === null ? 'nothing (absent)' : JSON.stringify(v));

/**
 * Sentences for a reader who knows neither the store nor the checker: the op that cannot be placed, what it
 * saw, the state every valid order of the earlier ops leaves, and the last acknowledged change before it.
 */
function explain(p: PartitionResult, byId: ReadonlyMap<number, Call>, desc: ReadonlyMap<number, string>): string[] {
  const key = p.key ?? 'the register';
  const stuck = p.stuck;
  if (!stuck) return [`${key}: no order of its operations is consistent with their real-time order and the model.`];
  const frontier = stuck.frontier !== null ? byId.get(stuck.frontier) : undefined;
  const rejected = stuck.candidates.filter((c) => !c.legal).map((c) => byId.get(c.op)).filter((c): c is Call => c !== undefined);
  const culprit = frontier && rejected.includes(frontier) ? frontier : (rejected[0] ?? frontier);
  const out: string[] = [];
  const count = p.linearized?.length ?? 0;
  if (!culprit) {
    out.push(`${key}: after ${count} operations in a valid order the register holds ${stuck.state}, and none of the operations that must come next fits.`);
    return out;
  }
  const where = `${culprit.node ? ` on ${culprit.node}` : ''} (process ${culprit.process}, invoked at ${secs(culprit.invoke)}${culprit.complete !== undefined ? `, answered at ${secs(culprit.complete)}` : ''})`;
  const what = desc.get(culprit.id) ?? culprit.f;
  out.push(`${key}: ${what}${where} cannot be explained. No order of the operations before it that respects when each was invoked and answered allows it; the longest such order found places ${count} operations and ends with ${key} = ${stuck.state}.`);
  const isRead = /^(read|get)$/.test(culprit.f);
  // What was already settled before the culprit began: the newest op answered ok before it, and the newest one
  // whose value differs from what the culprit saw (a read that saw it, or a change that made it).
  const before = [...byId.values()]
    .filter((c) => c.outcome === 'ok' && c.succeeded !== false && c.complete !== undefined && c.complete < culprit.invoke && settled(c) !== undefined)
    .sort((a, b) => b.complete! - a.complete!);
  const name = (c: Call): string => `${desc.get(c.id) ?? c.f}${c.node ? ` on ${c.node}` : ''}`;
  const at = (c: Call): string => `answered ok at ${secs(c.complete!)}, ${secs(culprit.invoke - c.complete!)} before it began`;
  if (isRead) {
    const seen = JSON.stringify(culprit.value ?? null);
    const contradicts = before.find((c) => JSON.stringify(settled(c)) !== seen);
    out.push(`It returned ${shown(culprit.value)}.`);
    const earlierRead = contradicts !== undefined && /^(read|get)$/.test(contradicts.f);
    if (contradicts) {
      out.push(`But ${name(contradicts)} ${earlierRead ? 'had already read' : 'had already made it'} ${shown(settled(contradicts))} (${at(contradicts)}); no order of the writes takes ${key} from there back to ${shown(culprit.value)} in time.`);
    }
    // What the earlier read saw may come only from writes nobody acknowledged: then nothing acknowledged was lost.
    const producers = earlierRead ? [...byId.values()].filter((c) => /^(write|put|cas)$/.test(c.f) && c.succeeded !== false && JSON.stringify(intended(c)) === JSON.stringify(settled(contradicts!))) : [];
    if (earlierRead && producers.length > 0 && producers.every((c) => c.outcome !== 'ok')) {
      const w = producers[0]!;
      out.push(`Only ${desc.get(w.id) ?? describe(w)}${w.node ? ` on ${w.node}` : ''} (invoked at ${secs(w.invoke)}, never acknowledged) wrote ${shown(settled(contradicts!))}. So either the earlier read saw that write before it was durable and the write then did not survive (a read of an unacknowledged write that was lost), or this read was served from a stale copy of the data.`);
    } else out.push('So either an acknowledged write was lost, or this read was served from a stale copy of the data.');
  } else if (culprit.f === 'cas') {
    const last = before[0];
    out.push(`Its compare${culprit.succeeded === false ? ' failed' : ' succeeded'}, which no value ${key} can hold at that point allows.${last ? ` The newest operation settled before it: ${name(last)} (${at(last)}).` : ''}`);
  }
  return out;
}

/** Evidence for the failing partitions only: a valid key needs no picture, and the report must stay small. */
export function evidenceView(result: CheckResult | undefined, calls: readonly Call[]): EvidenceFile {
  if (!result) return { valid: 'unknown', keys: [] };
  return { valid: result.valid, keys: result.partitions.filter((p) => p.valid === false).map((p) => keyEvidence(p, calls)) };
}
