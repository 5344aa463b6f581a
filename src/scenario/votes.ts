// Why an election was slow or never finished, in words, from the votes the nodes logged refusing.
import type { ElectionEvent } from '../system/system.js';
import { seconds } from './measure.js';

/** Refusals quoted in full; the rest are counted. */
const QUOTED = 3;

/** Node name of every raft member id the nodes' own lines name. */
export function memberNodes(events: readonly ElectionEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) if (e.member !== undefined && !out.has(e.member)) out.set(e.member, e.node);
  return out;
}

function phrase(e: ElectionEvent, name: (id: string) => string, t0: number): string {
  const v = e.vote!;
  const cand = name(v.candidate);
  const what = `${e.node} (term ${e.term}) ${v.why === 'lease' ? 'ignored' : 'refused'} ${cand}'s ${v.preVote ? 'pre-vote' : 'vote'} request after ${seconds(e.time - t0)} s`;
  switch (v.why) {
    case 'log':
      return `${what}: ${cand}'s log ends at term ${v.theirs.term} index ${v.theirs.index}, behind ${e.node}'s at term ${v.own.term} index ${v.own.index}`;
    case 'voted':
      return `${what}: ${e.node} had already voted for ${v.votedFor === e.member ? 'itself' : name(v.votedFor!)} in that term`;
    case 'leader':
      return `${what}: ${e.node} still had a leader in that term`;
    case 'term':
      return `${what}: the pre-vote's term was not ahead of ${e.node}'s`;
    case 'lease':
      return `${what}: ${e.node} still counted on a live leader, heard from within the election timeout (etcd's CheckQuorum lease)`;
    case 'learner':
      return `${what}: ${e.node} is a learner, which does not vote`;
    case 'ignored':
      return `${what}`;
  }
}

/**
 * The vote refusals in (from, to] between nodes not in `gone`, as one sentence, or undefined when there were none.
 * Raft grants a vote only to a candidate whose log is at least as up to date as the voter's, and one vote per term:
 * a candidate that missed the last entry keeps losing until a better-placed node times out and campaigns itself.
 */
export function refusedVotes(events: readonly ElectionEvent[], from: number, to: number, gone: ReadonlySet<string>): string | undefined {
  const names = memberNodes(events);
  const name = (id: string): string => names.get(id) ?? `member ${id}`;
  const quoted: string[] = [];
  const seen = new Set<string>();
  let distinct = 0;
  let behind = false;
  for (const e of events) {
    if (e.event !== 'vote-refused' || e.vote === undefined || e.time <= from || e.time > to || gone.has(e.node) || gone.has(name(e.vote.candidate))) continue;
    // etcd logs one refusal per request; a retried request in the same term says nothing new.
    const key = `${e.node} ${e.vote.candidate} ${e.term} ${e.vote.preVote} ${e.vote.why}`;
    if (seen.has(key)) continue;
    seen.add(key);
    distinct += 1;
    if (e.vote.why === 'log') behind = true;
    if (quoted.length < QUOTED) quoted.push(phrase(e, name, from));
  }
  if (distinct === 0) return undefined;
  const more = distinct > quoted.length ? ` (and ${distinct - quoted.length} more)` : '';
  const rule = behind ? '; a node votes only for a candidate whose log is at least as up to date as its own' : '';
  return `votes refused: ${quoted.join('; ')}${more}${rule}`;
}
