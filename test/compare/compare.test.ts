// compare on synthetic run directories with known shifts: verdicts, A/A stability, thresholds, unavailability.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { percentileInterval, quantileReplicates, seeded } from '../../src/compare/bootstrap.js';
import { quantileOfSorted } from '../../src/util/percentile.js';
import { compareRuns, type CompareReport } from '../../src/compare/compare.js';
import { formatJson, formatMarkdown, formatText } from '../../src/compare/format.js';
import { findRuns, loadRunSamples, loadSide } from '../../src/compare/load.js';
import { parseThresholds } from '../../src/compare/verdict.js';
import { FaultlineError } from '../../src/util/errors.js';
import { writeRun, type SynOptions } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const run = (o: SynOptions): string => writeRun(join(root, `t${n++}`, `20260101T000000-r${o.seed}`), o);
const verdicts = (r: CompareReport): Record<string, string> => Object.fromEntries(r.metrics.map((m) => [m.metric, m.verdict]));
const metric = (r: CompareReport, name: string) => r.metrics.find((m) => m.metric === name)!;

describe('bootstrap', () => {
  it('nearest-rank quantiles and a median interval as wide as theory says', () => {
    expect(quantileOfSorted(Float64Array.from([1, 2, 3, 4]), 0.5)).toBe(2);
    expect(quantileOfSorted(Float64Array.from([1, 2, 3, 4]), 0.99)).toBe(4);
    // Median of 2,000 standard normals: SE = 1.2533/sqrt(n) = 0.028, so the 95% interval is ~0.11 wide.
    const rnd = seeded(5);
    const x = Float64Array.from({ length: 2000 }, () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()));
    const [med] = quantileReplicates([x], [0.5], 2000, seeded(1));
    const ci = percentileInterval(med!)!;
    expect(ci[1] - ci[0]).toBeGreaterThan(0.07);
    expect(ci[1] - ci[0]).toBeLessThan(0.16);
    expect(ci[0]).toBeLessThan(0.05);
    expect(ci[1]).toBeGreaterThan(-0.05);
  });

  it('resamples runs: three runs at different levels give a wider interval than their samples alone', () => {
    const runs = [1, 2, 3].map((level) => Float64Array.from({ length: 500 }, (_, i) => level + (i % 10) / 100));
    const pooled = Float64Array.from(runs.flatMap((r) => [...r]));
    const hier = percentileInterval(quantileReplicates(runs, [0.5], 1000, seeded(2))[0]!)!;
    const flat = percentileInterval(quantileReplicates([pooled], [0.5], 1000, seeded(2))[0]!)!;
    expect(hier[1] - hier[0]).toBeGreaterThan(0.5);
    expect(flat[1] - flat[0]).toBeLessThan(0.2);
  });
});

describe('verdicts on synthetic runs', () => {
  it('no shift: no significant change on any metric; the same seed gives the same report', () => {
    const a = loadSide(run({ seed: 1 }), 'BASE');
    const b = loadSide(run({ seed: 2 }), 'CAND');
    const r = compareRuns(a, b);
    expect(verdicts(r)).toEqual({ p50: 'no significant change', p99: 'no significant change', throughput: 'no significant change', unavailability: 'no significant change' });
    expect(r.verdict).toBe('no regression');
    expect(metric(r, 'p99').ci![0]).toBeLessThan(0);
    expect(metric(r, 'p99').ci![1]).toBeGreaterThan(0);
    expect(compareRuns(a, b)).toEqual(r);
    expect(r.notes.join(' ')).toMatch(/one run on a side/);
  });

  it('+30% latency: p50 and p99 regress (and throughput, which a closed loop loses), verdict regression', () => {
    const r = compareRuns(loadSide(run({ seed: 3 }), 'BASE'), loadSide(run({ seed: 4, scale: 1.3 }), 'CAND'));
    expect(metric(r, 'p99').verdict).toBe('regression');
    expect(metric(r, 'p50').verdict).toBe('regression');
    expect(metric(r, 'p99').change!).toBeGreaterThan(0.15);
    expect(metric(r, 'throughput').verdict).toBe('regression');
    expect(r.verdict).toBe('regression');
    expect(r.regressions).toContain('p99');
  });

  it('-30% latency: improvement, not regression', () => {
    const r = compareRuns(loadSide(run({ seed: 5 }), 'BASE'), loadSide(run({ seed: 6, scale: 0.7 }), 'CAND'));
    expect(verdicts(r)).toMatchObject({ p50: 'improvement', p99: 'improvement', throughput: 'improvement' });
    expect(r.verdict).toBe('no regression');
    expect(r.improvements).toEqual(expect.arrayContaining(['p50', 'p99', 'throughput']));
  });

  it('noise only: at least 95 of 100 A/A trials report no regression, and the p99 interval covers 0 in >= 90', () => {
    // 20 runs of one configuration, 100 ordered pairs of distinct runs (as bench:gate forms its trials).
    const pool = Array.from({ length: 20 }, (_, i) => loadRunSamples(run({ seed: 1000 + i, loadS: 8 })));
    let clean = 0;
    let covered = 0;
    for (let t = 0; t < 100; t++) {
      const i = t % 20;
      const j = (i + 1 + Math.floor(t / 20)) % 20;
      const r = compareRuns([pool[i]!], [pool[j]!], { seed: t, resamples: 1000 });
      if (r.verdict === 'no regression') clean++;
      const ci = metric(r, 'p99').ci!;
      if (ci[0] <= 0 && ci[1] >= 0) covered++;
    }
    console.log(`synthetic A/A: ${clean}/100 no regression, p99 interval covers 0 in ${covered}/100`);
    expect(clean).toBeGreaterThanOrEqual(95);
    expect(covered).toBeGreaterThanOrEqual(90);
  }, 120_000);

  it('thresholds: a custom allowance turns a +30% p99 into no regression', () => {
    const a = loadSide(run({ seed: 7 }), 'BASE');
    const b = loadSide(run({ seed: 8, scale: 1.3 }), 'CAND');
    const r = compareRuns(a, b, { thresholds: parseThresholds('p99=80%,p50=80%,throughput=60%') });
    expect(r.verdict).toBe('no regression');
    expect(metric(r, 'p99').threshold).toBeCloseTo(0.8);
    expect(metric(r, 'unavailability').threshold).toBeCloseTo(0.2);
    expect(() => parseThresholds('p98=10%')).toThrow(/unknown metric "p98"/);
    expect(() => parseThresholds('p99=ten')).toThrow(/not METRIC=PERCENT/);
  });
});

describe('unavailability', () => {
  it('one run a side: the point change decides, and only beyond the 0.5 s floor', () => {
    const base = loadSide(run({ seed: 9, unavailableS: 0 }), 'BASE');
    const small = compareRuns(base, loadSide(run({ seed: 10, unavailableS: 0.3 }), 'CAND'));
    expect(metric(small, 'unavailability').verdict).toBe('no significant change');
    const big = compareRuns(base, loadSide(run({ seed: 11, unavailableS: 2 }), 'CAND'));
    const u = metric(big, 'unavailability');
    expect(u.verdict).toBe('regression');
    expect(u.ci).toBeNull();
    expect(u.absChange).toBeCloseTo(2);
    expect(big.verdict).toBe('regression');
  });

  it('several runs a side: runs are resampled and the interval decides', () => {
    const dirOf = (tag: string, xs: number[]): string => {
      const d = join(root, tag);
      xs.forEach((u, i) => writeRun(join(d, `20260101T00000${i}-${tag}${i}`), { seed: 100 + i, unavailableS: u, loadS: 3 }));
      return d;
    };
    const base = loadSide(dirOf('ub', [1, 1.2, 0.9]), 'BASE');
    const worse = compareRuns(base, loadSide(dirOf('uw', [3, 3.3, 2.8]), 'CAND'));
    const u = metric(worse, 'unavailability');
    expect(u.verdict).toBe('regression');
    expect(u.ci![0]).toBeGreaterThan(0.2);
    const noisy = compareRuns(base, loadSide(dirOf('un', [0.2, 3, 1]), 'CAND'));
    expect(metric(noisy, 'unavailability').verdict).toBe('no significant change');
  });
});

describe('finding and loading runs', () => {
  it('a directory of runs, results/ root and a glob all name the runs, skipping the latest link', () => {
    const d = join(root, 'find', 'mytest');
    const dirs = [1, 2, 3].map((i) => writeRun(join(d, `2026010${i}T000000-f${i}`), { seed: 200 + i, loadS: 2 }));
    symlinkSync(dirs[2]!.split('/').pop()!, join(d, 'latest'));
    expect(findRuns(d, 'BASE')).toEqual(dirs);
    expect(findRuns(join(root, 'find'), 'BASE')).toEqual(dirs);
    expect(findRuns(join(d, '2026010[12]*'), 'BASE')).toEqual(dirs.slice(0, 2));
    expect(findRuns(dirs[0]!, 'BASE')).toEqual([dirs[0]]);
  });

  it('bad input is a usage error (exit 3) naming the path and the fix', () => {
    const err = (f: () => unknown): FaultlineError => {
      try {
        f();
      } catch (e) {
        return e as FaultlineError;
      }
      throw new Error('expected an error');
    };
    const missing = err(() => findRuns(join(root, 'nope'), 'BASE'));
    expect(missing.code).toBe(3);
    expect(missing.message).toMatch(/BASE .*nope does not exist/);
    const emptyDir = join(root, 'empty');
    mkdirSync(emptyDir);
    expect(err(() => findRuns(emptyDir, 'CAND')).message).toMatch(/no runs found for CAND/);
    expect(err(() => findRuns(join(root, 'zz*'), 'CAND')).message).toMatch(/no runs found/);
    const noResults = writeRun(join(root, 'nores', '20260101T000000-x'), { seed: 300, loadS: 2 });
    rmSync(join(noResults, 'results.json'));
    const e = err(() => loadRunSamples(noResults));
    expect(e.code).toBe(3);
    expect(e.message).toContain(join(noResults, 'results.json'));
    expect(e.message).toMatch(/faultline analyze/);
    expect(e.message.split('\n')).toHaveLength(1);
  });
});

describe('output', () => {
  it('text, markdown and JSON carry the table, the summary and stable keys', () => {
    const r = compareRuns(loadSide(run({ seed: 400 }), 'BASE'), loadSide(run({ seed: 401, scale: 1.3 }), 'CAND'));
    const md = formatMarkdown(r);
    expect(md).toMatch(/^\*\*faultline compare — ❌ regression: /);
    expect(md).toContain('| metric | base | cand | change | 95% CI | allowed | verdict |');
    expect(md).toMatch(/\| p99 commit latency \| [\d.]+ ms \| [\d.]+ ms \| \+[\d.]+% \| .+ \| ≤ \+10% \| ❌ regression \|/);
    const txt = formatText(r);
    expect(txt.split('\n')[0]).toMatch(/^metric\s+base\s+cand\s+change\s+95% CI\s+allowed\s+verdict$/);
    const j = JSON.parse(formatJson(r)) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['schema', 'verdict', 'regressions', 'improvements', 'base', 'cand', 'resamples', 'seed', 'confidence', 'unavailabilityFloorS', 'blocks', 'metrics', 'notes']);
    expect(j['schema']).toBe('faultline.compare/1');
  });
});
