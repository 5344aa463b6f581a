// Node log lines around each election, so a reader sees what the nodes said while leadership moved.
import type { LogReader } from '../system/system.js';
import type { Election } from './raft-health.js';

export interface Excerpt {
  title: string;
  fromS: number;
  toS: number;
  lines: { node: string; t: number; line: string }[];
  /** Lines in the interval left out to keep the report small. */
  omitted: number;
}

const MAX_ELECTIONS = 12;
const MAX_LINES = 40;
const MAX_CHARS = 400;

/** Every log line with its time in seconds since the test began (lines without a time are skipped). */
function timedLines(logs: Record<string, string>, t0EpochMs: number, reader: LogReader): { node: string; t: number; line: string }[] {
  const out: { node: string; t: number; line: string }[] = [];
  for (const node of Object.keys(logs).sort()) {
    for (const line of logs[node]!.split('\n')) {
      const ms = reader.lineTime(line);
      if (ms !== undefined) out.push({ node, t: (ms - t0EpochMs) / 1000, line: line.length > MAX_CHARS ? line.slice(0, MAX_CHARS) + '…' : line });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

export function logExcerpts(logs: Record<string, string>, t0EpochMs: number, elections: readonly Election[], reader: LogReader | undefined): Excerpt[] {
  if (!reader) return [];
  if (elections.length === 0) return [];
  const lines = timedLines(logs, t0EpochMs, reader);
  return elections.slice(0, MAX_ELECTIONS).map((e) => {
    const fromS = e.startS - 1;
    const toS = e.leaderS + 0.5;
    const inside = lines.filter((l) => l.t >= fromS && l.t <= toS);
    // Prefer raft lines (elections, votes, leader changes) when there are too many.
    const raft = inside.filter((l) => /raft|leader|vote|term/.test(l.line));
    const chosen = (inside.length <= MAX_LINES ? inside : raft.slice(0, MAX_LINES));
    return {
      title: `term ${e.term}: ${e.leader} elected at ${e.leaderS.toFixed(3)} s (election took ${(e.durationS * 1000).toFixed(0)} ms)`,
      fromS,
      toS,
      lines: chosen,
      omitted: inside.length - chosen.length,
    };
  });
}
