// Scenario 5: a 5-node cluster split 2 + 3: the minority commits nothing, nothing acknowledged is lost, the majority serves.
import type { Json } from '../history/op.js';
import { isWrite } from '../report/calls.js';
import type { ScenarioModule } from './module.js';
import { missing, trialOf } from './module.js';
import { leaderAt, longestWriteGap, okWriteTimes, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { Trial } from './types.js';

/** Nodes that drop more than half the cluster are the minority side of a `complete` split. */
export function minorityOf(value: Json, nodes: readonly string[]): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const g = value['grudge'];
  if (g === null || typeof g !== 'object' || Array.isArray(g)) return [];
  return Object.entries(g)
    .filter(([, drops]) => Array.isArray(drops) && drops.length > nodes.length / 2)
    .map(([n]) => n)
    .sort();
}

export const minorityPartition: ScenarioModule = {
  kind: 'minority-partition',
  figures: [
    { key: 'minorityOkWrites', label: 'ok writes invoked and acknowledged on the minority during the split', unit: 'count' },
    { key: 'minorityOkReads', label: 'ok linearizable reads on the minority during the split', unit: 'count' },
    { key: 'minorityWrites', label: 'writes invoked on the minority during the split', unit: 'count' },
    { key: 'minorityWritesFailOrInfo', label: '… of which ended fail/info', unit: 'count' },
    { key: 'minorityWritesOkAfterHeal', label: '… of which ok only after the heal', unit: 'count' },
    { key: 'majorityOkPerS', label: 'majority ok writes/s in the split\'s second half', unit: 'ops/s' },
    { key: 'majorityGapS', label: 'longest majority write gap during the split', unit: 's' },
    { key: 'leaderInMinority', label: 'leader was on the minority side (1 = yes)', unit: 'count' },
    { key: 'linearizable', label: 'run linearizable (1 yes, 0 no; absent unknown)', unit: 'count' },
    { key: 'finalReadsGaveUp', label: 'nodes whose final reads gave up', unit: 'count' },
  ],
  measure(run) {
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (!e.fault.startsWith('partition')) return;
      const minority = new Set(minorityOf(e.startValue, run.nodes));
      const majority = new Set(run.nodes.filter((n) => !minority.has(n)));
      const from = e.started;
      const to = e.stop ?? from;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, from, to));
      if (minority.size === 0) t.notes.push('no minority side in this partition');
      t.notes.push(`minority: ${[...minority].join(', ')}`);
      let okW = 0;
      let okR = 0;
      let writes = 0;
      let failInfo = 0;
      let okAfter = 0;
      for (const c of run.calls) {
        if (c.node === undefined || !minority.has(c.node) || c.invoke < from || c.invoke > to) continue;
        const done = c.complete ?? Infinity;
        if (!isWrite(c.f)) {
          if (c.outcome === 'ok' && done <= to) okR++;
          continue;
        }
        writes++;
        if (c.outcome === 'ok' && done <= to) okW++;
        else if (c.outcome === 'ok') okAfter++;
        else failInfo++;
      }
      const half = from + (to - from) / 2;
      const maj = okWriteTimes(run.calls, majority);
      const secondHalf = maj.filter((x) => x >= half && x <= to).length;
      const leader = leaderAt(run.elections, from);
      t.figures = {
        minorityOkWrites: okW,
        minorityOkReads: okR,
        minorityWrites: writes,
        minorityWritesFailOrInfo: failInfo,
        minorityWritesOkAfterHeal: okAfter,
        majorityOkPerS: to > half ? Math.round((secondHalf / ((to - half) / 1e9)) * 10) / 10 : null,
        majorityGapS: longestWriteGap(maj, from, to),
        leaderInMinority: leader ? (minority.has(leader.node) ? 1 : 0) : null,
        linearizable: run.results.valid === 'unknown' ? null : run.results.valid ? 1 : 0,
        finalReadsGaveUp: run.summary.finalReads.filter((r) => r.gaveUp).length,
      };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s, trials) {
    const v = p.variants[0]!.name;
    const absent = missing(s, [[v, 'minorityOkWrites']]);
    if (absent) return absent;
    const sum = (k: string): number => trials.reduce((a, t) => a + (t.figures[k] ?? 0), 0);
    const sp = s[v]!;
    const okW = sum('minorityOkWrites');
    const okR = sum('minorityOkReads');
    const invalid = trials.filter((t) => t.figures['linearizable'] === 0).length;
    const unknown = trials.filter((t) => t.figures['linearizable'] === null).length;
    const starved = trials.filter((t) => (t.figures['majorityOkPerS'] ?? 0) <= 0).length;
    const reasons = [
      `minority side: ${sum('minorityWrites')} writes invoked during the split over ${trials.length} trials; ${okW} acknowledged during it, ${sum('minorityWritesFailOrInfo')} ended fail/info, ${sum('minorityWritesOkAfterHeal')} completed ok only after the heal; ${okR} linearizable reads succeeded there.`,
      `majority side: ${describe(sp['majorityOkPerS']!, 'ops/s')} ok writes in the split's second half; longest gap ${describe(sp['majorityGapS']!, 's')} (leader on the minority side in ${sum('leaderInMinority')} of ${trials.length} trials).`,
      `checker: ${trials.length - invalid - unknown} linearizable, ${invalid} not, ${unknown} unknown; final reads gave up on ${sum('finalReadsGaveUp')} node(s).`,
    ];
    if (okW > 0 || okR > 0 || invalid > 0) return { verdict: 'does not hold', reasons: ['The minority acknowledged operations it could not have committed, or the history is not linearizable.', ...reasons] };
    if (starved > 0) return { verdict: 'does not hold', reasons: [`The majority side stopped serving writes in ${starved} trial(s).`, ...reasons] };
    if (unknown > 0 || sum('finalReadsGaveUp') > 0) return { verdict: 'inconclusive', reasons: ['Nothing contradicted the claim, but the checker or the final reads could not decide every run.', ...reasons] };
    return { verdict: 'holds', reasons: ['The minority acknowledged nothing during the split, every run is linearizable with its final reads, and the majority kept serving.', ...reasons] };
  },
};
