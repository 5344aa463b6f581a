// leaderLoss (pure): the figures of one leader kill from election log lines, and, when no new leader came
// before the restart, a note saying whether a survivor campaigned at all.
import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../src/history/faults.js';
import { leaderLoss } from '../../src/scenario/leader-crash.js';
import type { TrialRun } from '../../src/scenario/trial.js';
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
});
