// Parses etcd's zap JSON log into the election timeline (pre-candidate, candidate, leader, follower, lost leader,
// refused votes).
import type { ElectionEvent, VoteRefusal } from './system.js';

// raft messages as etcd 3.4 logs them through zap, e.g.
//   "b5179d13d0285315 became candidate at term 2"
//   "raft.node: b5179d13d0285315 lost leader 8e9e05c52164694d at term 3"
//   "f1531c09afe93527 [logterm: 3, index: 2648, vote: 0] rejected MsgVote from c539bdba82083616 [logterm: 2, index: 2647] at term 3"
//   "4be71545950794d4 [logterm: 2, index: 1273, vote: 4be71545950794d4] ignored MsgVote from 746d2990a91f32b1 [logterm: 2, index: 1272] at term 2: lease is not expired (remaining ticks: 8)"
const BECAME = /([0-9a-f]+) became (pre-candidate|candidate|leader|follower) at term (\d+)/;
const LOST = /([0-9a-f]+) lost leader [0-9a-f]+ at term (\d+)/;
const REFUSED = /([0-9a-f]+) \[logterm: (\d+), index: (\d+), vote: ([0-9a-f]+)\] (rejected|ignored) (MsgVote|MsgPreVote) from ([0-9a-f]+) \[logterm: (\d+), index: (\d+)\] at term (\d+)(.*)/;

/**
 * Why a refusal happened, from what the line shows: etcd logs the refusal, not its reason. The line prints both
 * logs' last entries and this node's vote, not the candidate's term, so:
 *  - a candidate whose log is behind is refused for that whatever else holds (raft's election restriction);
 *  - a MsgVote of a lower term is logged differently, and a higher one makes this node a follower of that term
 *    first, so a MsgVote with an up-to-date log was refused for the vote this node had cast or the leader it had;
 *  - a pre-vote with an up-to-date log is granted whenever its term is ahead, so one refused was not ahead.
 */
function refusal(m: RegExpExecArray): VoteRefusal {
  const own = { term: Number(m[2]), index: Number(m[3]) };
  const theirs = { term: Number(m[8]), index: Number(m[9]) };
  const votedFor = m[4] === '0' ? undefined : m[4]!;
  const candidate = m[7]!;
  const preVote = m[6] === 'MsgPreVote';
  const tail = m[11] ?? '';
  const behind = theirs.term < own.term || (theirs.term === own.term && theirs.index < own.index);
  let why: VoteRefusal['why'];
  if (m[5] === 'ignored') why = tail.includes('lease is not expired') ? 'lease' : tail.includes('learner') ? 'learner' : 'ignored';
  else if (behind) why = 'log';
  else if (preVote) why = 'term';
  else why = votedFor !== undefined && votedFor !== candidate ? 'voted' : 'leader';
  return { candidate, preVote, own, theirs, ...(votedFor !== undefined ? { votedFor } : {}), why };
}

/**
 * One ElectionEvent per matching line, time in ns since the test's t0 (`t0EpochMs` is the wall-clock
 * instant of the history's time zero). zap times have millisecond resolution. Non-JSON lines are skipped.
 * Pure, so the report can re-parse the logs of a stored run.
 */
export function parseEtcdLog(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
  const out: ElectionEvent[] = [];
  for (const line of text.split('\n')) {
    // Cheap filter first: logs are mostly other messages.
    if (!line.includes('became ') && !line.includes('lost leader') && !line.includes('Vote from ')) continue;
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
      out.push({ time, node, term: Number(b[3]), event: b[2] as ElectionEvent['event'], line, member: b[1]! });
      continue;
    }
    const l = LOST.exec(rec.msg);
    if (l) {
      out.push({ time, node, term: Number(l[2]), event: 'lost-leader', line, member: l[1]! });
      continue;
    }
    const r = REFUSED.exec(rec.msg);
    if (r) out.push({ time, node, term: Number(r[10]), event: 'vote-refused', line, member: r[1]!, vote: refusal(r) });
  }
  return out;
}
