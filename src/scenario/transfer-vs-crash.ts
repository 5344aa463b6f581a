// Scenario 3: leadership moved on purpose (MoveLeader) vs the leader killed: write unavailability of each.
import { leaderLoss } from './leader-crash.js';
import type { ScenarioModule } from './module.js';
import { med, missing, trialOf } from './module.js';
import { longestWriteGap, okWriteTimes, seconds, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { Trial } from './types.js';

export const transferVsCrash: ScenarioModule = {
  kind: 'transfer-vs-crash',
  figures: [
    { key: 'unavailableS', label: 'write unavailability', unit: 's' },
    { key: 'newLeaderS', label: 'fault → new leader', unit: 's' },
  ],
  measure(run, _p, form) {
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (e.fault === 'kill') {
        const t = leaderLoss(run, e, i, form.holdS);
        out.push({ ...t, figures: { unavailableS: t.figures['unavailableS'] ?? null, newLeaderS: t.figures['newLeaderS'] ?? null } });
        return;
      }
      if (e.fault !== 'transfer-leader') return;
      // The transfer is one request; its cost is measured over the same horizon as a crash's.
      const until = e.start + form.holdS * 1e9;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, e.start - 0.5e9, until));
      if (e.error) t.notes.push(`nemesis error: ${e.error}`);
      const moved = e.startValue !== null && typeof e.startValue === 'object' && !Array.isArray(e.startValue) ? e.startValue['moved'] : undefined;
      if (moved !== true) t.notes.push('leadership did not move');
      const leader = run.elections.find((x) => x.time > e.start && x.time <= until && x.event === 'leader');
      t.figures = { unavailableS: longestWriteGap(okWriteTimes(run.calls), e.start, until, true), newLeaderS: leader ? seconds(leader.time - e.start) : null };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s) {
    const absent = missing(s, [
      ['transfer', 'unavailableS'],
      ['crash', 'unavailableS'],
    ]);
    if (absent) return absent;
    const maxRatio = p.criteria['maxRatio'] ?? 0.2;
    const tr = med(s, 'transfer', 'unavailableS')!;
    const cr = med(s, 'crash', 'unavailableS')!;
    const ratio = cr > 0 ? Math.round((tr / cr) * 1000) / 1000 : Infinity;
    const reasons = [
      `transfer: write unavailability ${describe(s['transfer']!['unavailableS']!, 's')}; new leader after ${describe(s['transfer']!['newLeaderS']!, 's')}.`,
      `crash: write unavailability ${describe(s['crash']!['unavailableS']!, 's')}; new leader after ${describe(s['crash']!['newLeaderS']!, 's')}.`,
    ];
    if (ratio <= maxRatio) return { verdict: 'holds', reasons: [`A transfer cost ${tr} s of writes, ${ratio} of a crash's ${cr} s (claim: at most ${maxRatio}).`, ...reasons] };
    return { verdict: 'does not hold', reasons: [`A transfer cost ${tr} s of writes, ${ratio} of a crash's ${cr} s: more than the ${maxRatio} that "almost nothing" allows.`, ...reasons] };
  },
};
