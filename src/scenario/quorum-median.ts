// Scenario 7: 5 nodes, a different added delay on each follower's packets to the leader; write commit latency
// against the claim that it tracks the round trip to the median member (the quorum's slowest needed follower).
import type { Json } from '../history/op.js';
import { isWrite } from '../report/calls.js';
import type { ScenarioModule } from './module.js';
import { med, missing, trialOf } from './module.js';
import { leadersIn, stalledIn } from './measure.js';
import { quantileOfSorted as quantile } from '../util/percentile.js';
import { describe } from './stats.js';
import type { TrialRun } from './trial.js';
import type { Trial } from './types.js';

/** `{leader, links: [[from, to, delayMs], ...]}` as the delay nemesis records a `toLeaderMs` start. */
export function appliedDelays(value: Json): { leader: string; delays: number[] } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const leader = value['leader'];
  const links = value['links'];
  if (typeof leader !== 'string' || !Array.isArray(links)) return null;
  const delays = links.flatMap((l) => (Array.isArray(l) && l[1] === leader && typeof l[2] === 'number' ? [l[2]] : []));
  return { leader, delays: delays.sort((a, b) => a - b) };
}

/** p50 (ms) of ok writes sent to `node`, invoked in [from, to] and completed by `to`; null below `minN`. */
function writeP50(run: TrialRun, node: string, from: number, to: number, minN: number): { p50: number | null; n: number } {
  const lat = run.calls
    .filter((c) => c.outcome === 'ok' && isWrite(c.f) && c.node === node && c.invoke >= from && c.complete !== undefined && c.complete <= to)
    .map((c) => (c.complete! - c.invoke) / 1e6)
    .sort((a, b) => a - b);
  return { p50: lat.length >= minN ? Math.round(quantile(lat, 0.5) * 100) / 100 : null, n: lat.length };
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

export const quorumMedian: ScenarioModule = {
  kind: 'quorum-median',
  figures: [
    { key: 'addedMs', label: 'added commit latency (p50 delayed − p50 before)', unit: 'ms' },
    { key: 'predictedMs', label: 'predicted: added RTT to the median member', unit: 'ms' },
    { key: 'errorMs', label: 'added − predicted', unit: 'ms' },
    { key: 'p50Ms', label: 'p50 write latency at the leader, delayed', unit: 'ms' },
    { key: 'baseP50Ms', label: 'p50 write latency at the leader, before', unit: 'ms' },
    { key: 'fastestMs', label: 'added RTT to the fastest follower', unit: 'ms' },
    { key: 'nextMs', label: 'added RTT to the member after the median', unit: 'ms' },
    { key: 'writes', label: 'leader writes measured while delayed', unit: 'count' },
  ],
  measure(run, p, form) {
    const out: Trial[] = [];
    const settle = (p.criteria['settleS'] ?? 0.5) * 1e9;
    const minN = p.criteria['minWrites'] ?? 10;
    run.faults.forEach((e, i) => {
      if (e.fault !== 'delay') return;
      const to = e.stop ?? e.started + form.holdS * 1e9;
      const baseFrom = e.start - form.calmS * 0.8e9;
      // Only stalls inside the two measured windows matter (setting up the helpers is outside both).
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, baseFrom, e.start) || stalledIn(run.stalls, e.started + settle, to));
      if (e.error) t.notes.push(`nemesis error: ${e.error}`);
      const applied = appliedDelays(e.startValue);
      if (!applied || applied.delays.length !== run.nodes.length - 1) {
        t.notes.push('the delay nemesis recorded no per-follower delays (options.toLeaderMs)');
        out.push(t);
        return;
      }
      const { leader, delays } = applied;
      // A majority of n counts the leader itself, so the leader waits for quorum − 1 followers: the slowest of
      // those is the median member.
      const needed = Math.floor(run.nodes.length / 2);
      const changes = leadersIn(run.elections, baseFrom, to).length;
      if (changes > 0) t.notes.push(`${changes} election(s) around the delay: latencies mixed leaders`);
      const before = writeP50(run, leader, baseFrom, e.start, minN);
      const during = writeP50(run, leader, e.started + settle, to, minN);
      t.notes.push(`leader ${leader}; added one-way delays on the followers' packets to it: ${delays.join(', ')} ms`);
      const predicted = delays[needed - 1]!;
      const added = before.p50 !== null && during.p50 !== null && changes === 0 ? r2(during.p50 - before.p50) : null;
      t.figures = {
        addedMs: added,
        predictedMs: predicted,
        errorMs: added === null ? null : r2(added - predicted),
        p50Ms: during.p50,
        baseP50Ms: before.p50,
        fastestMs: delays[0]!,
        nextMs: delays[needed] ?? null,
        writes: during.n,
      };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s) {
    const v = p.variants[0]!.name;
    const absent = missing(s, [[v, 'addedMs']]);
    if (absent) return absent;
    const tol = p.criteria['toleranceMs'] ?? 7;
    const sp = s[v]!;
    const added = med(s, v, 'addedMs')!;
    const predicted = med(s, v, 'predictedMs')!;
    const fastest = med(s, v, 'fastestMs');
    const next = med(s, v, 'nextMs');
    const err = r2(added - predicted);
    const reasons = [
      `added p50 commit latency at the leader: ${describe(sp['addedMs']!, 'ms')}; predicted (added RTT to the median member) ${predicted} ms; the fastest follower alone would give ${fastest} ms, the next member ${next} ms.`,
      `p50 write latency at the leader ${describe(sp['p50Ms']!, 'ms')} delayed vs ${describe(sp['baseP50Ms']!, 'ms')} before; writes measured per trial ${describe(sp['writes']!, 'count')}.`,
    ];
    const candidates: [string, number | null][] = [['the fastest follower', fastest], ['the median member', predicted], ['the member after the median', next]];
    const nearest = candidates.filter((c): c is [string, number] => c[1] !== null).sort((a, b) => Math.abs(added - a[1]) - Math.abs(added - b[1]))[0]!;
    reasons.push(`Of the single members' added round trips, ${nearest[1]} ms (${nearest[0]}) is nearest the measured ${added} ms.`);
    if (Math.abs(err) <= tol) return { verdict: 'holds', reasons: [`Commit latency grew by ${added} ms (median), within ${tol} ms of the ${predicted} ms round trip to the median member.`, ...reasons] };
    return { verdict: 'does not hold', reasons: [`Commit latency grew by ${added} ms (median), ${err} ms off the ${predicted} ms round trip to the median member (tolerance ${tol} ms).`, ...reasons] };
  },
};
