// What the report draws for a non-linearizable key: ops per process near the failure, the prefix, the stuck point.
import type { CheckResult, PartitionResult } from '../checker/result.js';
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
}

export interface EvidenceFile {
  valid: CheckResult['valid'] | 'unknown';
  keys: KeyEvidence[];
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
  return { key: p.key, opsInKey: inKey.length, ops, prefixLength: linearized.length, prefix: tail, stuck: p.stuck ?? null };
}

/** Evidence for the failing partitions only: a valid key needs no picture, and the report must stay small. */
export function evidenceView(result: CheckResult | undefined, calls: readonly Call[]): EvidenceFile {
  if (!result) return { valid: 'unknown', keys: [] };
  return { valid: result.valid, keys: result.partitions.filter((p) => p.valid === false).map((p) => keyEvidence(p, calls)) };
}
