// Scenario 4: fsync of the leader's WAL delayed 10/50/100 ms: commit latency, leader changes, the fsync p99 alert.
import type { ScenarioModule } from './module.js';
import { med, missing, trialOf } from './module.js';
import { leadersIn, nodesOf, stalledIn } from './measure.js';
import { isWrite } from '../report/calls.js';
import { walFsyncP99MsIn } from '../report/raft-health.js';
import { quantileOfSorted as quantile } from '../util/percentile.js';
import { describe } from './stats.js';
import type { Trial } from './types.js';

/** p50 of ok write latency (ms) for writes invoked in [from, to]. */
function writeP50Ms(calls: Parameters<ScenarioModule['measure']>[0]['calls'], from: number, to: number): number | null {
  const l = calls
    .filter((c) => c.outcome === 'ok' && c.complete !== undefined && isWrite(c.f) && c.invoke >= from && c.invoke <= to)
    .map((c) => (c.complete! - c.invoke) / 1e6)
    .sort((a, b) => a - b);
  return l.length ? Math.round(quantile(l, 0.5) * 100) / 100 : null;
}

/**
 * Before = the calm before the fault, during = the fault in effect. The slowed node's fsync p99 comes from etcd's
 * histogram, sampled each second: over the fault's samples alone, and over the run (what the report's alert
 * reads). The run's p99 is the fault's only while the slowed fsyncs are over 1% of the run's: at +100 ms the
 * leader manages ~10 a second against hundreds before and after, so a short run can put it below the delay.
 */
export const slowWal: ScenarioModule = {
  kind: 'slow-wal',
  figures: [
    { key: 'commitP50BeforeMs', label: 'write latency p50 before', unit: 'ms' },
    { key: 'commitP50DuringMs', label: 'write latency p50 during', unit: 'ms' },
    { key: 'leaderChangesDuring', label: 'leader changes during', unit: 'count' },
    { key: 'walFsyncP99DuringMs', label: 'WAL fsync p99 of the slowed node while slowed', unit: 'ms' },
    { key: 'walFsyncP99Ms', label: 'WAL fsync p99 of the slowed node (run)', unit: 'ms' },
    { key: 'fsyncAlert', label: 'wal-fsync alert raised for it (1 = yes)', unit: 'count' },
  ],
  measure(run, _p, form) {
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (e.fault !== 'slow-fsync') return;
      const to = e.stop ?? e.started + form.holdS * 1e9;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, e.start - form.calmS * 1e9, to));
      if (e.error) t.notes.push(`nemesis error: ${e.error}`);
      const node = nodesOf(e.startValue)[0];
      if (!node) t.notes.push('no node was slowed');
      t.figures = {
        commitP50BeforeMs: writeP50Ms(run.calls, e.start - form.calmS * 1e9, e.start),
        commitP50DuringMs: writeP50Ms(run.calls, e.started, to),
        leaderChangesDuring: leadersIn(run.elections, e.started, to).length,
        walFsyncP99DuringMs: node ? walFsyncP99MsIn(run.metrics, node, e.started, to) : null,
        walFsyncP99Ms: node ? (run.results.raft.walFsyncP99Ms[node] ?? null) : null,
        fsyncAlert: node ? (run.results.alerts.some((a) => a.id === 'wal-fsync' && a.node === node) ? 1 : 0) : null,
      };
      out.push(t);
    });
    return out;
  },
  evaluate(p, s) {
    const names = p.variants.map((v) => v.name);
    const absent = missing(s, names.map((n) => [n, 'leaderChangesDuring'] as [string, string]));
    if (absent) return absent;
    const reasons = p.variants.map(
      (v) =>
        `${v.label}: leader changes ${describe(s[v.name]!['leaderChangesDuring']!, 'count')}; write p50 ${med(s, v.name, 'commitP50BeforeMs')} → ${med(s, v.name, 'commitP50DuringMs')} ms; fsync p99 while slowed ${describe(s[v.name]!['walFsyncP99DuringMs']!, 'ms')} (run ${describe(s[v.name]!['walFsyncP99Ms']!, 'ms')}), alert in ${med(s, v.name, 'fsyncAlert') ?? '–'} (median).`,
    );
    const flapping = p.variants.filter((v) => (med(s, v.name, 'leaderChangesDuring') ?? 0) >= (p.criteria['minLeaderChanges'] ?? 1));
    if (flapping.length > 0) return { verdict: 'holds', reasons: [`Leadership changed while the WAL was slow at ${flapping.map((v) => v.label).join(', ')}.`, ...reasons] };
    return { verdict: 'does not hold', reasons: [`No median leader change at any delay: a slow WAL raised write latency but leadership stayed put.`, ...reasons] };
  },
};
