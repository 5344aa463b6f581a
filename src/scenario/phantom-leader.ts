// Scenario 9 (antietcd): a phantom leader. The leader is cut off while its clock runs slow; its read lease,
// sized by its own clock, lets it keep answering reads after the majority elected a new leader and wrote.
// Control arm: the same cut, clock untouched. Measures how long the isolated node kept serving reads after the
// new side's first acknowledged write, and whether the history stayed linearizable.
import { isWrite } from '../report/calls.js';
import type { ScenarioModule } from './module.js';
import { missing, med, trialOf } from './module.js';
import { nodesOf, seconds, stalledIn } from './measure.js';
import { describe } from './stats.js';
import type { Trial } from './types.js';

const NS = 1e9;

export const phantomLeader: ScenarioModule = {
  kind: 'phantom-leader',
  figures: [
    { key: 'servedAfterS', label: 'isolated leader served ok reads for this long after the majority\'s first acknowledged write (0: never)', unit: 's' },
    { key: 'readsAfter', label: 'ok reads the isolated leader answered after that write', unit: 'count' },
    { key: 'firstWriteS', label: 'majority\'s first acknowledged write after the cut', unit: 's' },
    { key: 'linearizable', label: 'run linearizable (1 yes, 0 no; absent unknown)', unit: 'count' },
  ],
  measure(run) {
    const out: Trial[] = [];
    run.faults.forEach((e, i) => {
      if (e.fault !== 'clock-isolated-leader') return;
      const isolated = nodesOf(e.startValue)[0];
      const from = e.started;
      const to = e.stop ?? from;
      const t = trialOf(run, i, e.start, stalledIn(run.stalls, from, to));
      if (!isolated) {
        t.notes.push(`the fault did not isolate a node${e.error ? `: ${e.error}` : ''}`);
        out.push(t);
        return;
      }
      t.notes.push(`isolated: ${isolated}`);
      // The first write invoked on the majority side after the cut and acknowledged before the heal.
      let firstWrite = Infinity;
      for (const c of run.calls) {
        if (!isWrite(c.f) || c.outcome !== 'ok' || c.node === isolated || c.invoke < from || c.complete === undefined || c.complete > to) continue;
        firstWrite = Math.min(firstWrite, c.complete);
      }
      let lastRead = -Infinity;
      let readsAfter = 0;
      for (const c of run.calls) {
        if (isWrite(c.f) || c.node !== isolated || c.outcome !== 'ok' || c.complete === undefined || c.complete > to) continue;
        // A read invoked after the majority acknowledged a write, answered by the cut-off node.
        if (c.invoke > firstWrite) {
          readsAfter++;
          lastRead = Math.max(lastRead, c.complete);
        }
      }
      t.figures = {
        servedAfterS: Number.isFinite(firstWrite) ? (readsAfter > 0 ? seconds(lastRead - firstWrite) : 0) : null,
        readsAfter: Number.isFinite(firstWrite) ? readsAfter : null,
        firstWriteS: Number.isFinite(firstWrite) ? Math.round(((firstWrite - from) / NS) * 1e3) / 1e3 : null,
        linearizable: run.results.valid === 'unknown' ? null : run.results.valid ? 1 : 0,
      };
      if (!Number.isFinite(firstWrite)) t.notes.push('the majority acknowledged no write before the heal');
      out.push(t);
    });
    return out;
  },
  evaluate(p, s, trials) {
    const [slow, control] = [p.variants[0]!.name, p.variants[1]!.name];
    const absent = missing(s, [[slow, 'servedAfterS'], [control, 'servedAfterS']]);
    if (absent) return absent;
    const arm = (v: string): string => {
      const ts = trials.filter((t) => t.variant === v);
      const invalid = ts.filter((t) => t.figures['linearizable'] === 0).length;
      const served = ts.filter((t) => (t.figures['readsAfter'] ?? 0) > 0).length;
      return `${v}: served reads after the new side's first write in ${served} of ${ts.length} trials, for ${describe(s[v]!['servedAfterS']!, 's')}; history invalid in ${invalid} of ${ts.length}`;
    };
    const reasons = [arm(slow), arm(control)];
    const a = med(s, slow, 'servedAfterS')!;
    const b = med(s, control, 'servedAfterS')!;
    const margin = Number(p.criteria['marginS'] ?? 0.2);
    // The claim: a slow clock stretches the lease, so the slow arm serves longer than the control by > margin.
    if (a > b + margin) return { verdict: 'holds', reasons: [`The slow-clock leader kept serving ${(a - b).toFixed(2)} s longer (median) than the same cut with a true clock.`, ...reasons] };
    return { verdict: 'does not hold', reasons: [`The slow clock did not stretch serving beyond the control by more than ${margin} s (medians ${a} s vs ${b} s).`, ...reasons] };
  },
};
