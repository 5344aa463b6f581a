// Parses antietcd's cluster log (lines stamped by the lab as they arrived) into the election timeline.
import type { ElectionEvent } from './system.js';

// antietcd 1.3.1 (anticluster.js _handleRaftChange) prints, with --logs cluster:
//   "Raft n1: candidate, term 5"
//   "Raft n1: following n3, term 5"
//   "Raft n1: leader, term 6, followers: n1, n2"
const RAFT = /Raft (\S+): (candidate|leader|following \S+), term (\d+)/;
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) /;

/** Epoch ms of a line's arrival stamp (src/lab/output.ts), or undefined for an unstamped line. */
export function stampedTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const ms = Date.parse(m[1]!);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * One event per state change, time in ns since the test's t0. A leader whose follower set changes logs
 * "leader" again at the same term: kept once. The stamp is when the harness read the line, a few ms after
 * antietcd wrote it.
 */
export function parseAntietcdLog(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
  const out: ElectionEvent[] = [];
  let last = '';
  for (const line of text.split('\n')) {
    if (!line.includes('Raft ')) continue;
    const m = RAFT.exec(line);
    const ms = stampedTime(line);
    if (!m || ms === undefined) continue;
    const event: ElectionEvent['event'] = m[2] === 'candidate' ? 'candidate' : m[2] === 'leader' ? 'leader' : 'follower';
    const term = Number(m[3]);
    const key = `${event}@${term}`;
    if (key === last) continue;
    last = key;
    out.push({ time: Math.round((ms - t0EpochMs) * 1e6), node, term, event, line });
  }
  return out;
}
