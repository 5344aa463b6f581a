// Scenario 6: membership change under load (remove a member; add it back as a learner and promote it): linearizable, available per step.
import type { ScenarioModule } from './module.js';
import { med, missing, trialOf } from './module.js';
import { longestWriteGap, okWriteTimes, seconds, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { Trial } from './types.js';

/** Each step's gap is measured from the last ok write before its request until 1 s after the request returned. */
export const membership: ScenarioModule = {
  kind: 'membership',
  figures: [
    { key: 'removeS', label: 'remove-member request', unit: 's' },
    { key: 'gapRemoveS', label: 'longest write gap around the removal', unit: 's' },
    { key: 'addPromoteS', label: 'add-learner + promote requests', unit: 's' },
    { key: 'gapAddPromoteS', label: 'longest write gap around add + promote', unit: 's' },
    { key: 'promoted', label: 'learner promoted (1 = yes)', unit: 'count' },
    { key: 'linearizable', label: 'run linearizable (1 yes, 0 no; absent unknown)', unit: 'count' },
  ],
  measure(run) {
    const ok = okWriteTimes(run.calls);
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (e.fault !== 'member') return;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, e.start, (e.stopped ?? e.started) + 1e9));
      if (e.error) t.notes.push(`nemesis error: ${e.error}`);
      const sv = e.stopValue;
      const added = sv !== null && typeof sv === 'object' && !Array.isArray(sv) && Array.isArray(sv['nodes']) ? sv['nodes'] : [];
      const promoted = added.length > 0 && added.every((n) => n !== null && typeof n === 'object' && !Array.isArray(n) && n['promoted'] === true);
      t.figures = {
        removeS: seconds(e.started - e.start),
        gapRemoveS: longestWriteGap(ok, e.start, e.started + 1e9, true),
        addPromoteS: e.stop !== null && e.stopped !== null ? seconds(e.stopped - e.stop) : null,
        gapAddPromoteS: e.stop !== null && e.stopped !== null ? longestWriteGap(ok, e.stop, e.stopped + 1e9, true) : null,
        promoted: e.stopped !== null ? (promoted ? 1 : 0) : null,
        linearizable: run.results.valid === 'unknown' ? null : run.results.valid ? 1 : 0,
      };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s, trials) {
    const v = p.variants[0]!.name;
    const absent = missing(s, [[v, 'gapRemoveS'], [v, 'gapAddPromoteS']]);
    if (absent) return absent;
    const maxGap = p.criteria['maxGapS'] ?? 1;
    const sp = s[v]!;
    const invalid = trials.filter((t) => t.figures['linearizable'] === 0).length;
    const unknown = trials.filter((t) => t.figures['linearizable'] === null).length;
    const notPromoted = trials.filter((t) => t.figures['promoted'] === 0).length;
    const reasons = [
      `removal: request ${describe(sp['removeS']!, 's')}, longest write gap ${describe(sp['gapRemoveS']!, 's')}.`,
      `add learner + promote: requests ${describe(sp['addPromoteS']!, 's')}, longest write gap ${describe(sp['gapAddPromoteS']!, 's')}; ${notPromoted} learner(s) not promoted.`,
      `checker: ${trials.length - invalid - unknown} linearizable, ${invalid} not, ${unknown} unknown.`,
    ];
    const worst = Math.max(med(s, v, 'gapRemoveS')!, med(s, v, 'gapAddPromoteS')!);
    if (invalid > 0) return { verdict: 'does not hold', reasons: ['A run with membership changes is not linearizable.', ...reasons] };
    if (worst >= maxGap || notPromoted > 0) return { verdict: 'does not hold', reasons: [`A membership step stopped writes for ${worst} s (limit ${maxGap} s) or a learner was never promoted.`, ...reasons] };
    if (unknown > 0) return { verdict: 'inconclusive', reasons: ['The checker could not decide every run.', ...reasons] };
    return { verdict: 'holds', reasons: [`Every run is linearizable and no membership step stopped writes for ${maxGap} s (worst median ${worst} s).`, ...reasons] };
  },
};
