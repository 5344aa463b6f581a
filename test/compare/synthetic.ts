// Writes synthetic run directories (test.json, history.jsonl, events.jsonl, results.json) with known latency.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seeded } from '../../src/generator/random.js';
import type { Op } from '../../src/history/op.js';

export interface SynOptions {
  seed: number;
  /** Seconds of load. */
  loadS?: number;
  concurrency?: number;
  /** Median commit latency, ms; every latency is multiplied by `scale` (1.3 = +30% at every quantile). */
  medianMs?: number;
  scale?: number;
  /** results.json availability.totalS. */
  unavailableS?: number;
  name?: string;
}

/**
 * Closed-loop workers, each invoking the next op when the last completes: half writes/cas, half reads, with
 * log-normal latency (sigma 0.6, so p99 ≈ 4 × p50) — the shape of etcd's commit latency on this machine.
 */
export function writeRun(dir: string, o: SynOptions): string {
  const rnd = seeded(o.seed);
  const loadS = o.loadS ?? 6;
  const conc = o.concurrency ?? 6;
  const median = o.medianMs ?? 10;
  const scale = o.scale ?? 1;
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const startNs = 500e6;
  const endNs = startNs + loadS * 1e9;
  const calls: { p: number; f: string; inv: number; done: number }[] = [];
  for (let p = 0; p < conc; p++) {
    let t = startNs + rnd() * 1e6;
    while (t < endNs) {
      const ms = median * Math.exp(0.6 * gauss()) * scale;
      const f = rnd() < 0.5 ? 'read' : rnd() < 0.5 ? 'write' : 'cas';
      calls.push({ p, f, inv: t, done: t + ms * 1e6 });
      t += ms * 1e6 + 50e3;
    }
  }
  const events: { t: number; line: Op }[] = [];
  for (const c of calls) {
    const value = c.f === 'cas' ? [1, 2] : c.f === 'write' ? 1 : null;
    events.push({ t: c.inv, line: { index: 0, time: Math.round(c.inv), process: c.p, type: 'invoke', f: c.f, key: 'k0', value, node: 'n1' } });
    events.push({ t: c.done, line: { index: 0, time: Math.round(c.done), process: c.p, type: 'ok', f: c.f, key: 'k0', value: c.f === 'read' ? 1 : value } });
  }
  events.sort((a, b) => a.t - b.t);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.jsonl'), events.map((e, i) => JSON.stringify({ ...e.line, index: i })).join('\n') + '\n');
  const phases = [['warm-up', startNs], ['faults', startNs + 1e9], ['final-reads', endNs], ['done', endNs + 1e8]] as const;
  writeFileSync(join(dir, 'events.jsonl'), phases.map(([phase, time]) => JSON.stringify({ time, type: 'phase', phase })).join('\n') + '\n');
  writeFileSync(join(dir, 'test.json'), JSON.stringify({ name: o.name ?? 'synthetic', runId: `s${o.seed}`, workload: 'register', nodes: ['n1', 'n2', 'n3'] }));
  const totalS = o.unavailableS ?? 0;
  writeFileSync(join(dir, 'results.json'), JSON.stringify({
    schema: 'faultline.results/1',
    availability: { thresholdS: 1, windows: totalS ? [{ startS: 2, endS: 2 + totalS, durationS: totalS }] : [], longestS: totalS, totalS },
  }));
  return dir;
}
