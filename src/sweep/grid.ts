// The tuning grid of a sweep: heartbeat × election × pre-vote, parsed from flags, cells in a stable order.
import { createHash } from 'node:crypto';
import { usageError } from '../util/errors.js';

export interface Cell {
  /** Stable, path-safe id: hb100-el1000-pv-off. */
  id: string;
  heartbeatMs: number;
  electionMs: number;
  preVote: boolean;
}

export interface Grid {
  heartbeatMs: number[];
  electionMs: number[];
  preVote: boolean[];
}

export const cellId = (hb: number, el: number, pv: boolean): string => `hb${hb}-el${el}-pv-${pv ? 'on' : 'off'}`;

/** "50,100,250" → [50, 100, 250]; duplicates dropped, order kept as typed. */
export function parseMsList(flag: string, raw: string | undefined, fallback: number[]): number[] {
  if (raw === undefined) return fallback;
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 1) {
      throw usageError(`faultline sweep: --${flag} takes a comma-separated list of whole milliseconds, e.g. --${flag} 50,100,250; got "${raw}"`);
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

export function parseOnOffList(raw: string | undefined, fallback: boolean[]): boolean[] {
  if (raw === undefined) return fallback;
  const out: boolean[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p !== 'on' && p !== 'off') throw usageError(`faultline sweep: --pre-vote takes on, off or on,off; got "${raw}"`);
    if (!out.includes(p === 'on')) out.push(p === 'on');
  }
  return out;
}

/** Every combination, heartbeat-major then election then pre-vote: the order cells run and appear in. */
export function cells(g: Grid): Cell[] {
  const out: Cell[] = [];
  for (const hb of g.heartbeatMs) for (const el of g.electionMs) for (const pv of g.preVote) out.push({ id: cellId(hb, el, pv), heartbeatMs: hb, electionMs: el, preVote: pv });
  return out;
}

/** A short name for a sweep from everything that changes what it measures, so the same flags resume it. */
export function sweepName(identity: unknown): string {
  return 'sweep-' + createHash('sha1').update(JSON.stringify(identity)).digest('hex').slice(0, 10);
}
