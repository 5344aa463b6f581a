// The clock plot: the offset series built from clock nemesis records, and its chart drawn in headless Chromium.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Json, Op } from '../../src/history/op.js';
import { analyzeRun } from '../../src/report/analyze-run.js';
import { clockSeries, type ClockPoint } from '../../src/report/clock-plot.js';
import type { ResultsFile } from '../../src/report/results.js';
import { writeSyntheticRun } from '../../src/report/synthetic-run.js';
import { countMarks, openReport, renderState } from '../support/browser.js';

const S = 1e9;
let index = 0;
const nem = (tS: number, type: 'invoke' | 'info', f: string, value?: Json): Op => ({ index: index++, time: tS * S, process: 'nemesis', type, f, ...(value !== undefined ? { value } : {}) });
const of = (ps: ClockPoint[], node: string): [number, number][] => ps.filter((p) => p.node === node).sort((a, b) => a.seq - b.seq).map((p) => [p.t, p.offsetMs]);

describe('clockSeries (pure)', () => {
  it('is empty for a run without clock records (a partition carries no clocks)', () => {
    expect(clockSeries([nem(1, 'invoke', 'start-partition'), nem(1.1, 'info', 'start-partition', { grudge: { n1: ['n2'] } }), nem(2, 'info', 'stop-partition', { healed: true })], 3 * S)).toEqual([]);
  });

  it('draws a bump as a jump and back, a skew as a slope, from completed records only', () => {
    const h = [
      // Only the info carries what was applied; the invoke's value is the request.
      nem(1, 'invoke', 'start-clock-bump', { clocks: { n1: { offsetMs: 9999, rate: 1 } } }),
      nem(1.01, 'info', 'start-clock-bump', { fault: 'bump', nodes: ['n1'], clocks: { n1: { offsetMs: -2000, rate: 1 } } }),
      nem(3, 'invoke', 'stop-clock-bump'),
      nem(3.01, 'info', 'stop-clock-bump', { nodes: ['n1'], clocks: { n1: { offsetMs: 0, rate: 1 } } }),
      nem(4, 'info', 'start-clock-skew', { fault: 'skew', nodes: ['n2'], clocks: { n2: { offsetMs: 0, rate: 0.5 } } }),
      nem(6, 'info', 'stop-clock-skew', { nodes: ['n2'], clocks: { n2: { offsetMs: 0, rate: 1 } } }),
    ];
    const ps = clockSeries(h, 7 * S);
    expect(of(ps, 'n1')).toEqual([[0, 0], [1.01, 0], [1.01, -2000], [3.01, -2000], [3.01, 0], [7, 0]]);
    // Rate 0.5 for 2 s: the clock falls 1,000 ms behind, then the reset puts it back at real time.
    expect(of(ps, 'n2')).toEqual([[0, 0], [4, 0], [4, 0], [6, -1000], [6, 0], [7, 0]]);
    expect(ps.find((p) => p.node === 'n2' && p.t === 6 && p.offsetMs === -1000)!.rate).toBe(0.5);
    expect(new Set(ps.map((p) => p.node))).toEqual(new Set(['n1', 'n2']));
  });

  it('reconstructs a strobe on its grid, and a stop before its end cancels the flips left', () => {
    const strobe = { deltaMs: 500, periodMs: 200, durationMs: 1000 };
    // Ticks at +0.2 (0), +0.4 (+500), +0.6 (0), +0.8 (+500), +1.0 (last: 0).
    const full = clockSeries([nem(1, 'info', 'start-clock-strobe', { fault: 'strobe', nodes: ['n3'], clocks: { n3: { offsetMs: 500, rate: 1 } }, strobe })], 3 * S);
    const jumps = of(full, 'n3').filter((_, i, a) => i > 0 && a[i - 1]![0] === a[i]![0]).map(([t, o]) => [Math.round(t * 10) / 10, o]);
    expect(jumps).toEqual([[1, 500], [1.2, 0], [1.4, 500], [1.6, 0], [1.8, 500], [2, 0]]);
    const cut = clockSeries(
      [
        nem(1, 'info', 'start-clock-strobe', { fault: 'strobe', nodes: ['n3'], clocks: { n3: { offsetMs: 500, rate: 1 } }, strobe }),
        nem(1.5, 'info', 'stop-clock-strobe', { nodes: ['n3'], clocks: { n3: { offsetMs: 0, rate: 1 } } }),
      ],
      3 * S,
    );
    expect(Math.max(...cut.filter((p) => p.t > 1.5).map((p) => p.offsetMs))).toBe(0);
    expect(of(cut, 'n3').at(-1)).toEqual([3, 0]);
  });

  it('reads the phantom-leader fault\'s record (partition plus a rate on the leader)', () => {
    const ps = clockSeries(
      [
        nem(2, 'info', 'start-clock-isolated-leader', { nodes: ['n1'], grudge: { n1: ['n2', 'n3'] }, clocks: { n1: { offsetMs: 0, rate: 0.25 } } }),
        nem(6, 'info', 'stop-clock-isolated-leader', { nodes: ['n1'], healed: true, clocks: { n1: { offsetMs: 0, rate: 1 } } }),
      ],
      8 * S,
    );
    expect(of(ps, 'n1')).toEqual([[0, 0], [2, 0], [2, 0], [6, -3000], [6, 0], [8, 0]]);
  });
});

describe('the clock chart in report.html', () => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-clockplot-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is drawn with a line per node when the run had clock faults, and absent otherwise', async () => {
    const dir = join(root, 'synthetic', '20260101T000000-clock1');
    writeSyntheticRun(dir, { ops: 2000, concurrency: 4, seed: 3, faults: [{ fault: 'clock-skew', startS: 0.5, endS: 1.5 }] });
    // The synthetic run's fault records carry no clocks: give the start and stop the nemesis' own values.
    const file = join(dir, 'history.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Op);
    for (const op of lines) {
      if (op.process !== 'nemesis' || op.type !== 'info') continue;
      op.value = op.f.startsWith('start-') ? { fault: 'skew', nodes: ['n1', 'n2'], clocks: { n1: { offsetMs: 0, rate: 0.5 }, n2: { offsetMs: 0, rate: 2 } } } : { nodes: ['n1', 'n2'], clocks: { n1: { offsetMs: 0, rate: 1 }, n2: { offsetMs: 0, rate: 1 } } };
    }
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const plain = join(root, 'synthetic', '20260101T000100-plain1');
    writeSyntheticRun(plain, { ops: 1000, concurrency: 4, seed: 4, faults: [{ fault: 'partition', startS: 0.5, endS: 1 }] });
    for (const d of [dir, plain]) await analyzeRun(d, { timeoutS: 60 });

    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
    expect(new Set(results.clocks!.map((p) => p.node))).toEqual(new Set(['n1', 'n2']));
    const n2Peak = Math.max(...results.clocks!.filter((p) => p.node === 'n2').map((p) => p.offsetMs));
    expect(n2Peak).toBeGreaterThan(900); // rate 2 for ~1 s: ~1,000 ms ahead
    expect((JSON.parse(readFileSync(join(plain, 'results.json'), 'utf8')) as ResultsFile).clocks).toEqual([]);

    const o = await openReport(join(dir, 'report.html'));
    try {
      const state = await renderState(o.page);
      expect(state.failed, state.errors.join('; ')).toBe(0);
      expect(state.charts).toContain('clocks');
      // One line per node, a point per breakpoint, the fault band and its label.
      const points = results.clocks!.length;
      expect(await countMarks(o.page, 'clocks')).toBeGreaterThanOrEqual(points + 2);
    } finally {
      await o.close();
    }
    const p = await openReport(join(plain, 'report.html'));
    try {
      const state = await renderState(p.page);
      expect(state.failed).toBe(0);
      expect(state.charts).not.toContain('clocks');
    } finally {
      await p.close();
    }
  }, 120_000);
});
