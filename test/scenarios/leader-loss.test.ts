// leaderLoss (pure): the figures of one leader kill from election log lines, and, when no new leader came
// before the restart, a note saying whether a survivor campaigned at all.
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../src/history/faults.js';
import { leaderLoss } from '../../src/scenario/leader-crash.js';
import type { TrialRun } from '../../src/scenario/trial.js';
import { parseEtcdLog } from '../../src/system/etcd-log.js';
import type { ElectionEvent } from '../../src/system/system.js';

const S = 1e9;
const kill: FaultEvent = { fault: 'kill', start: 10 * S, started: 10 * S, startValue: { nodes: ['n1'] }, stop: 16 * S, stopped: 16 * S, stopValue: null, error: null };
const ev = (t: number, node: string, event: ElectionEvent['event']): ElectionEvent => ({ time: t * S, node, term: 3, event, line: `${node} ${event}` });
const run = (elections: ElectionEvent[]): TrialRun =>
  ({ variant: { name: 'kill-20x' }, runDir: '/r', calls: [], elections, faults: [kill], stalls: [], nodes: ['n1', 'n2', 'n3'], settings: { heartbeatMs: 100, electionMs: 2000, preVote: false } }) as unknown as TrialRun;

describe('leaderLoss', () => {
  it('times the first new leader on a survivor, before the killed node returns', () => {
    const t = leaderLoss(run([ev(9, 'n1', 'leader'), ev(12.5, 'n2', 'candidate'), ev(12.6, 'n2', 'leader')]), kill, 0, 6);
    expect(t.figures).toMatchObject({ newLeaderS: 2.6, firstCampaignS: 2.5, newLeaderPerElectionTimeout: 1.3 });
    expect(t.notes).toEqual([]);
  });

  it('without a new leader in the window, the note says whether a survivor campaigned', () => {
    const slow = leaderLoss(run([ev(12.5, 'n2', 'candidate'), ev(14.9, 'n3', 'candidate'), ev(16.5, 'n3', 'leader')]), kill, 0, 6);
    expect(slow.figures['newLeaderS']).toBeNull();
    expect(slow.notes).toEqual(['no new leader within 6 s of the fault (first campaign by n2 after 2.5 s)']);
    // The killed node's own lines do not count.
    const none = leaderLoss(run([ev(11, 'n1', 'candidate')]), kill, 0, 6);
    expect(none.notes).toEqual(['no new leader within 6 s of the fault (no survivor campaigned)']);
  });

  it('quotes the votes survivors refused, naming nodes by the member ids their own lines carry', () => {
    // etcd's own lines, n1 = aaaa (killed leader), n2 = bbbb, n3 = cccc; t0 of the logs is 0, the kill at 10 s.
    const line = (s: number, msg: string): string => JSON.stringify({ ts: s, msg });
    const logs: Record<string, string> = {
      n1: line(1, 'aaaa became leader at term 2'),
      n2: [
        line(1, 'bbbb became follower at term 2'),
        line(11.34, 'bbbb [logterm: 2, index: 141, vote: 0] rejected MsgVote from cccc [logterm: 2, index: 140] at term 3'),
        line(11.35, 'bbbb [logterm: 2, index: 141, vote: 0] rejected MsgVote from cccc [logterm: 2, index: 140] at term 3'),
        line(13.1, 'bbbb [logterm: 2, index: 141, vote: bbbb] rejected MsgVote from cccc [logterm: 2, index: 141] at term 4'),
        // Before the kill: not this trial's.
        line(9, 'bbbb [logterm: 2, index: 1, vote: 0] ignored MsgVote from cccc [logterm: 2, index: 1] at term 2: lease is not expired (remaining ticks: 8)'),
      ].join('\n'),
      n3: [line(1, 'cccc became follower at term 2'), line(11.338, 'cccc became candidate at term 3')].join('\n'),
    };
    const events = Object.entries(logs).flatMap(([node, text]) => parseEtcdLog(text, node, 0)).sort((a, b) => a.time - b.time);
    const t = leaderLoss(run(events), kill, 0, 6);
    expect(t.figures['newLeaderS']).toBeNull();
    expect(t.notes).toEqual([
      'no new leader within 6 s of the fault (first campaign by n3 after 1.338 s)',
      "votes refused: n2 (term 3) refused n3's vote request after 1.34 s: n3's log ends at term 2 index 140, behind n2's at term 2 index 141; " +
        "n2 (term 4) refused n3's vote request after 3.1 s: n2 had already voted for itself in that term; a node votes only for a candidate whose log is at least as up to date as its own",
    ]);
    // With a leader, only the refusals before it, and the note says who won.
    const won = leaderLoss(run([...events, ...parseEtcdLog(line(12, 'bbbb became leader at term 5'), 'n2', 0)]), kill, 0, 6);
    expect(won.notes).toEqual([
      "before n2 won, votes refused: n2 (term 3) refused n3's vote request after 1.34 s: n3's log ends at term 2 index 140, behind n2's at term 2 index 141; a node votes only for a candidate whose log is at least as up to date as its own",
    ]);
  });
});
