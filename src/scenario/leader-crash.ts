// Scenario 2: SIGKILL the leader; time to a new leader (from the election log lines) and write unavailability vs the election timeout.
import type { ScenarioModule } from './module.js';
import { med, missing, trialOf } from './module.js';
import type { FaultEvent } from '../history/faults.js';
import { longestWriteGap, nodesOf, okWriteTimes, seconds, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { TrialRun } from './trial.js';
import { refusedVotes } from './votes.js';
import type { Trial } from './types.js';

/**
 * Figures of one leader loss at e.start: the first campaign (pre-candidate/candidate line) and the first new
 * leader on another node, both before the killed node is restarted (e.stop), and the longest stretch without
 * an ok write from the last one before the kill until the restart. Notes quote the votes survivors refused.
 */
export function leaderLoss(run: TrialRun, e: FaultEvent, index: number, horizonS: number): Trial {
  const t0 = e.start;
  const until = e.stop ?? t0 + horizonS * 1e9;
  const gone = new Set(nodesOf(e.startValue));
  const t = trialOf(run, index, t0, stalledIn(run.stalls, t0 - 0.5e9, until));
  if (e.error) t.notes.push(`nemesis error: ${e.error}`);
  const campaign = run.elections.find((x) => x.time > t0 && x.time <= until && !gone.has(x.node) && (x.event === 'pre-candidate' || x.event === 'candidate'));
  const leader = run.elections.find((x) => x.time > t0 && x.time <= until && x.event === 'leader' && !gone.has(x.node));
  // Whether anyone campaigned tells a slow election (split votes, slow vote fsyncs) from survivors that never tried.
  if (!leader) t.notes.push(`no new leader within ${seconds(until - t0)} s of the fault (${campaign ? `first campaign by ${campaign.node} after ${seconds(campaign.time - t0)} s` : 'no survivor campaigned'})`);
  // The refused votes say why the election took as long as it did (or never finished): a candidate behind on its log, a split vote, a lease.
  const refused = refusedVotes(run.elections, t0, leader?.time ?? until, gone);
  if (refused) t.notes.push(leader ? `before ${leader.node} won, ${refused}` : refused);
  const electionS = run.settings.electionMs / 1000;
  t.figures = {
    newLeaderS: leader ? seconds(leader.time - t0) : null,
    firstCampaignS: campaign ? seconds(campaign.time - t0) : null,
    campaignS: leader && campaign ? seconds(leader.time - campaign.time) : null,
    newLeaderPerElectionTimeout: leader ? Math.round(((leader.time - t0) / 1e9 / electionS) * 1000) / 1000 : null,
    unavailableS: longestWriteGap(okWriteTimes(run.calls), t0, until, true),
  };
  return t;
}

export const leaderCrash: ScenarioModule = {
  kind: 'leader-crash',
  figures: [
    { key: 'newLeaderS', label: 'kill → new leader', unit: 's' },
    { key: 'newLeaderPerElectionTimeout', label: 'kill → new leader / election timeout', unit: 'ratio' },
    { key: 'firstCampaignS', label: 'kill → first campaign', unit: 's' },
    { key: 'campaignS', label: 'campaign → leader', unit: 's' },
    { key: 'unavailableS', label: 'write unavailability', unit: 's' },
  ],
  measure(run, _p, form) {
    return run.faults.flatMap((e, i) => (e.fault === 'kill' ? [leaderLoss(run, e, i, form.holdS)] : []));
  },
  evaluate(p, s, trials) {
    const v = p.variants[0]!.name;
    const absent = missing(s, [[v, 'newLeaderS']]);
    if (absent) return absent;
    const factor = p.criteria['aboutFactor'] ?? 1.5;
    const electionS = (p.variants[0]!.raft?.electionMs ?? p.cluster.electionMs) / 1000;
    const noLeader = trials.filter((t) => t.figures['newLeaderS'] === null).length;
    const sp = s[v]!;
    const m = med(s, v, 'newLeaderS')!;
    const reasons = [
      `kill → new leader: ${describe(sp['newLeaderS']!, 's')} against an election timeout of ${electionS} s (claim: within about one, tolerance ×${factor} = ${Math.round(factor * electionS * 1000) / 1000} s).`,
      `kill → first campaign ${describe(sp['firstCampaignS']!, 's')}; campaign → leader ${describe(sp['campaignS']!, 's')}.`,
      `write unavailability: ${describe(sp['unavailableS']!, 's')}.`,
    ];
    if (noLeader > 0) reasons.push(`${noLeader} of ${trials.length} trials saw no new leader before the killed node restarted.`);
    if (noLeader * 2 > trials.length) return { verdict: 'does not hold', reasons: [`Most trials elected no new leader in time.`, ...reasons] };
    if (m <= factor * electionS) return { verdict: 'holds', reasons: [`The median new leader came ${m} s after the kill, within ${factor} election timeouts.`, ...reasons] };
    return { verdict: 'does not hold', reasons: [`The median new leader came ${m} s after the kill: ${Math.round((m / electionS) * 100) / 100} election timeouts, more than ${factor}.`, ...reasons] };
  },
};
