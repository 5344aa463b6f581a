// Scenario 1: an asymmetric gray pair (leader ↔ one follower cut, both reach the rest), pre-vote on vs off.
import type { ScenarioModule } from './module.js';
import { med, missing, trialOf } from './module.js';
import { leaderAt, leadersIn, longestWriteGap, maxTermAt, okWriteTimes, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { Trial } from './types.js';

/**
 * Windows: during = partition in effect (start completed → heal invoked); after = from the heal for 0.9 × calm
 * (the next fault, if any, starts one calm later). Terms come from the nodes' logs, the highest any node
 * reached: a cut follower campaigning alone raises its own term even when nobody follows it.
 */
export const grayFailure: ScenarioModule = {
  kind: 'gray-failure',
  figures: [
    { key: 'termGrowth', label: 'term growth (during + after)', unit: 'count' },
    { key: 'termGrowthDuring', label: 'term growth during', unit: 'count' },
    { key: 'leaderChangesDuring', label: 'leader changes during', unit: 'count' },
    { key: 'leaderChangesAfter', label: 'leader changes after heal', unit: 'count' },
    { key: 'gapDuringS', label: 'longest write gap during', unit: 's' },
    { key: 'gapAfterS', label: 'longest write gap after heal', unit: 's' },
    { key: 'leaderKeptTerm', label: 'leader kept its term (1 = yes)', unit: 'count' },
  ],
  measure(run, _p, form) {
    const ok = okWriteTimes(run.calls);
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (e.fault !== 'partition-gray') return;
      const from = e.started;
      const stop = e.stop ?? run.calls.reduce((m, c) => Math.max(m, c.complete ?? 0), 0);
      const afterEnd = stop + 0.9 * form.calmS * 1e9;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, from, afterEnd));
      if (e.error) t.notes.push(`nemesis error: ${e.error}`);
      if (e.stop === null) t.notes.push('the partition was never healed in this run');
      const termAt = (x: number): number => maxTermAt(run.elections, x) ?? 0;
      const before = leaderAt(run.elections, from);
      const end = leaderAt(run.elections, afterEnd);
      t.figures = {
        termGrowth: termAt(afterEnd) - termAt(from),
        termGrowthDuring: termAt(stop) - termAt(from),
        leaderChangesDuring: leadersIn(run.elections, from, stop).length,
        leaderChangesAfter: leadersIn(run.elections, stop, afterEnd).length,
        gapDuringS: longestWriteGap(ok, from, stop),
        gapAfterS: longestWriteGap(ok, stop, afterEnd),
        leaderKeptTerm: before && end ? (before.term === end.term ? 1 : 0) : null,
      };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s) {
    const absent = missing(s, [
      ['prevote-on', 'termGrowth'],
      ['prevote-off', 'termGrowth'],
    ]);
    if (absent) return absent;
    const maxGap = p.criteria['maxGapS'] ?? 1;
    const on = (k: string): number => med(s, 'prevote-on', k)!;
    const off = (k: string): number => med(s, 'prevote-off', k)!;
    const onGap = Math.max(on('gapDuringS'), on('gapAfterS'));
    const onChanges = on('leaderChangesDuring') + on('leaderChangesAfter');
    const onHolds = on('termGrowth') === 0 && onChanges === 0 && onGap < maxGap;
    const offHurts = off('termGrowth') >= 1 && (off('leaderChangesAfter') >= 1 || off('gapAfterS') >= maxGap || off('gapDuringS') >= maxGap);
    const reasons = [
      `pre-vote on: term growth ${describe(s['prevote-on']!['termGrowth']!, 'count')}, leader changes during ${on('leaderChangesDuring')} / after ${on('leaderChangesAfter')} (medians), longest write gap during ${describe(s['prevote-on']!['gapDuringS']!, 's')}, after heal ${describe(s['prevote-on']!['gapAfterS']!, 's')}.`,
      `pre-vote off: term growth ${describe(s['prevote-off']!['termGrowth']!, 'count')}, leader changes during ${off('leaderChangesDuring')} / after ${off('leaderChangesAfter')} (medians), longest write gap during ${describe(s['prevote-off']!['gapDuringS']!, 's')}, after heal ${describe(s['prevote-off']!['gapAfterS']!, 's')}.`,
    ];
    if (!onHolds) {
      reasons.unshift(`With pre-vote the leader did not simply keep its term and serve: the claim's first half fails (writes "continue" means no gap ≥ ${maxGap} s).`);
      return { verdict: 'does not hold', reasons };
    }
    if (!offHurts) {
      reasons.unshift(`Pre-vote on kept the leader and writes flowing, but without pre-vote the terms did not inflate with a stall (gap ≥ ${maxGap} s) or deposition: the claimed harm did not appear.`);
      return { verdict: 'does not hold', reasons };
    }
    reasons.unshift(`With pre-vote the leader kept its term and writes never paused ${maxGap} s; without it terms grew by ${off('termGrowth')} (median) and the cluster ${off('leaderChangesAfter') >= 1 ? 'deposed its leader on heal' : 'stalled'}.`);
    return { verdict: 'holds', reasons };
  },
};
