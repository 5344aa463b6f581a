// Scenario 8: heartbeat/election pairs under packet loss (spurious elections) and under a leader crash (recovery).
import type { ScenarioModule } from './module.js';
import { med, trialOf } from './module.js';
import { leaderLoss } from './leader-crash.js';
import { leadersIn, maxTermAt, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { ScenarioPreset, Spread, Trial } from './types.js';

/**
 * Variants come in pairs per timing: `loss-<tag>` (packet loss on every link, no other fault) and `kill-<tag>`
 * (SIGKILL the leader), with the same raft override. Tags are read in preset order; the first pair is the one the
 * rule of thumb recommends, compared with the second.
 */
export function pairs(p: ScenarioPreset): { tag: string; ratio: number; electionMs: number; loss: string; kill: string }[] {
  return p.variants
    .filter((v) => v.name.startsWith('loss-'))
    .map((v) => {
      const tag = v.name.slice('loss-'.length);
      const hb = v.raft?.heartbeatMs ?? p.cluster.heartbeatMs;
      const el = v.raft?.electionMs ?? p.cluster.electionMs;
      return { tag, ratio: el / hb, electionMs: el, loss: v.name, kill: `kill-${tag}` };
    })
    .filter((x) => p.variants.some((v) => v.name === x.kill));
}

export const timeoutRule: ScenarioModule = {
  kind: 'timeout-rule',
  figures: [
    { key: 'spuriousLeaders', label: 'new leaders during loss (spurious elections)', unit: 'count' },
    { key: 'termGrowth', label: 'term growth during loss', unit: 'count' },
    { key: 'newLeaderS', label: 'kill → new leader (recovery)', unit: 's' },
    { key: 'unavailableS', label: 'write unavailability after the kill', unit: 's' },
  ],
  measure(run, _p, form) {
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (e.fault === 'kill') {
        const t = leaderLoss(run, e, i, form.holdS);
        out.push({ ...t, figures: { newLeaderS: t.figures['newLeaderS'] ?? null, unavailableS: t.figures['unavailableS'] ?? null } });
        return;
      }
      if (e.fault !== 'loss') return;
      const from = e.started;
      const to = e.stop ?? from + form.holdS * 1e9;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, from, to));
      if (e.error) t.notes.push(`nemesis error: ${e.error}`);
      t.figures = {
        spuriousLeaders: leadersIn(run.elections, from, to).length,
        termGrowth: (maxTermAt(run.elections, to) ?? 0) - (maxTermAt(run.elections, from) ?? 0),
      };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s, trials) {
    const ps = pairs(p);
    const need = ps.flatMap((x) => [
      [x.loss, 'spuriousLeaders'],
      [x.kill, 'newLeaderS'],
    ] as [string, string][]);
    const absent = need.filter(([v, k]) => med(s, v, k) === null).map(([v, k]) => `${k} of ${v}`);
    if (ps.length < 2 || absent.length > 0) return { verdict: 'inconclusive', reasons: [ps.length < 2 ? 'the preset needs at least two loss-/kill- variant pairs' : `no trial measured ${absent.join(', ')}`] };
    const tol = p.criteria['spuriousTolerance'] ?? 0.5;
    const sum = (v: string, k: string): number => trials.filter((t) => t.variant === v).reduce((a, t) => a + (t.figures[k] ?? 0), 0);
    const count = (v: string): number => trials.filter((t) => t.variant === v).length;
    const sp = (v: string, k: string): Spread => s[v]![k]!;
    const reasons = ps.map(
      (x) =>
        `${x.tag} (election ${x.electionMs} ms = ${x.ratio}× heartbeat): under loss ${sum(x.loss, 'spuriousLeaders')} new leader(s) in ${count(x.loss)} trial(s), per trial ${describe(sp(x.loss, 'spuriousLeaders'), 'count')}, term growth ${describe(sp(x.loss, 'termGrowth'), 'count')}; after a leader kill, new leader in ${describe(sp(x.kill, 'newLeaderS'), 's')}, writes unavailable ${describe(sp(x.kill, 'unavailableS'), 's')}.`,
    );
    const [rule, longer] = ps as [(typeof ps)[0], (typeof ps)[0]];
    const spurRule = med(s, rule.loss, 'spuriousLeaders')!;
    const spurLonger = med(s, longer.loss, 'spuriousLeaders')!;
    const recRule = med(s, rule.kill, 'newLeaderS')!;
    const recLonger = med(s, longer.kill, 'newLeaderS')!;
    const quiet = spurRule - spurLonger <= tol;
    const faster = recRule < recLonger;
    const head = `${rule.ratio}× vs ${longer.ratio}×: spurious elections per loss window ${spurRule} vs ${spurLonger} (median, tolerance ${tol}); recovery ${recRule} s vs ${recLonger} s (median).`;
    if (quiet && faster) return { verdict: 'holds', reasons: [`${head} The ${rule.ratio}× pair recovered faster without more spurious elections beyond the tolerance.`, ...reasons] };
    const why = !quiet ? `the ${rule.ratio}× pair had more spurious elections under loss than ${longer.ratio}× beyond the tolerance` : `the ${rule.ratio}× pair did not recover faster`;
    return { verdict: 'does not hold', reasons: [`${head} ${why[0]!.toUpperCase()}${why.slice(1)}.`, ...reasons] };
  },
};
