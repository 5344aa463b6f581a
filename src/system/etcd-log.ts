// Parses etcd's zap JSON log into the election timeline (pre-candidate, candidate, leader, follower, lost leader).
import type { ElectionEvent } from './system.js';

// raft messages as etcd 3.4 logs them through zap, e.g.
//   "b5179d13d0285315 became candidate at term 2"
//   "raft.node: b5179d13d0285315 lost leader 8e9e05c52164694d at term 3"
const BECAME = /became (pre-candidate|candidate|leader|follower) at term (\d+)/;
const LOST = /lost leader [0-9a-f]+ at term (\d+)/;

/**
 * One ElectionEvent per matching line, time in ns since the test's t0 (`t0EpochMs` is the wall-clock
 * instant of the history's time zero). zap times have millisecond resolution. Non-JSON lines are skipped.
 * Pure, so the report can re-parse the logs of a stored run.
 */
export function parseEtcdLog(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
  const out: ElectionEvent[] = [];
  for (const line of text.split('\n')) {
    // Cheap filter first: logs are mostly other messages.
    if (!line.includes('became ') && !line.includes('lost leader')) continue;
    let rec: { ts?: unknown; msg?: unknown };
    try {
      rec = JSON.parse(line) as { ts?: unknown; msg?: unknown };
    } catch {
      continue;
    }
    if (typeof rec.msg !== 'string') continue;
    const ms = typeof rec.ts === 'number' ? rec.ts * 1000 : typeof rec.ts === 'string' ? Date.parse(rec.ts) : NaN;
    if (!Number.isFinite(ms)) continue;
    const time = Math.round((ms - t0EpochMs) * 1e6);
    const b = BECAME.exec(rec.msg);
    if (b) {
      out.push({ time, node, term: Number(b[2]), event: b[1] as ElectionEvent['event'], line });
      continue;
    }
    const l = LOST.exec(rec.msg);
    if (l) out.push({ time, node, term: Number(l[1]), event: 'lost-leader', line });
  }
  return out;
}
