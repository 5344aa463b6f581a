// Unit tests of the sweep's pure parts: grid parsing and order, per-cell figures, Pareto front, advice.
import { describe, it, expect } from 'vitest';
import { cells, parseMsList, parseOnOffList, sweepName } from '../../src/sweep/grid.js';
import { combineRepetitions, longestWriteGapS, measureRepetition, windowFigures, type CellMetrics, type RunFacts } from '../../src/sweep/measure.js';
import { paretoFront, recommend, ruleOfThumb } from '../../src/sweep/recommend.js';
import { scenarios } from '../../src/sweep/scenarios.js';
import type { CellRecord } from '../../src/sweep/state.js';

const facts = (over: Partial<RunFacts>): RunFacts => ({ scenario: 'x', kind: 'kill', valid: true, windows: [], okWrites: [], events: [], leaderChanges: 0, termGrowth: 0, longestUnavailableS: 0, ...over });
const ev = (timeS: number, node: string, term: number, event: string) => ({ timeS, node, term, event });

describe('grid', () => {
  it('parses lists, rejects junk with a usage error, and orders cells heartbeat-major', () => {
    expect(parseMsList('heartbeat', '50, 100,50', [])).toEqual([50, 100]);
    expect(() => parseMsList('heartbeat', '50,abc', [])).toThrow(/--heartbeat takes a comma-separated list/);
    expect(() => parseMsList('election', '0', [])).toThrow(/--election/);
    expect(parseOnOffList('on,off', [])).toEqual([true, false]);
    expect(() => parseOnOffList('yes', [])).toThrow(/--pre-vote takes on, off/);
    const ids = cells({ heartbeatMs: [50, 100], electionMs: [500, 1000], preVote: [true, false] }).map((c) => c.id);
    expect(ids).toEqual(['hb50-el500-pv-on', 'hb50-el500-pv-off', 'hb50-el1000-pv-on', 'hb50-el1000-pv-off', 'hb100-el500-pv-on', 'hb100-el500-pv-off', 'hb100-el1000-pv-on', 'hb100-el1000-pv-off']);
    expect(sweepName({ a: 1 })).toBe(sweepName({ a: 1 }));
    expect(sweepName({ a: 1 })).not.toBe(sweepName({ a: 2 }));
  });

  it('a full cell is a calm run plus one run per fault; quick is one run', () => {
    expect(scenarios({ timeLimitS: 12, quick: false, extra: ['pause'] }).map((s) => s.name)).toEqual(['calm', 'kill', 'isolate', 'gray', 'loss', 'extra1']);
    expect(scenarios({ timeLimitS: 8, quick: true, extra: [] }).map((s) => s.kind)).toEqual(['quick']);
  });
});

describe('cell figures', () => {
  it('time to a new leader counts only a higher term elected after the fault began', () => {
    const f = facts({
      windows: [{ fault: 'kill', startS: 10, endS: 14 }],
      // Term 2 elected at start-up; every node logs term 3 as it learns of it: the first one counts.
      events: [ev(1, 'n1', 2, 'leader'), ev(10.4, 'n2', 3, 'pre-candidate'), ev(10.9, 'n2', 3, 'leader'), ev(11.2, 'n3', 3, 'leader')],
    });
    expect(windowFigures(f, f.windows[0]!)).toEqual({ leaderChanges: 1, termGrowth: 1, newLeaderS: 0.9 });
    expect(measureRepetition([f]).electionS).toBe(0.9);
  });

  it('no new leader before the heal is null, not zero', () => {
    const f = facts({ windows: [{ fault: 'kill', startS: 10, endS: 12 }], events: [ev(1, 'n1', 2, 'leader'), ev(13, 'n1', 3, 'leader')] });
    expect(windowFigures(f, f.windows[0]!).newLeaderS).toBeNull();
    expect(windowFigures(f, f.windows[0]!).leaderChanges).toBe(1); // the heal's election still counts
  });

  it('write unavailability is the longest gap between ok writes during the fault', () => {
    const w = { startS: 10, endS: 15 };
    const f = facts({ okWrites: [9.9, 10.1, 10.2, 12.7, 12.8, 15.2, 18].map((t) => ({ invokeS: t - 0.01, completeS: t })) });
    expect(longestWriteGapS(f, w)).toBe(2.5);
    // No ok write at all until after the settle time: the whole window.
    expect(longestWriteGapS(facts({ okWrites: [] }), w)).toBe(7);
  });

  it('quick runs take calm latency and spurious elections from outside the fault', () => {
    const writes = [
      { invokeS: 2, completeS: 2.01 },
      { invokeS: 3, completeS: 3.03 },
      { invokeS: 10.5, completeS: 12 }, // inside the fault: excluded
    ];
    const f = facts({ kind: 'quick', windows: [{ fault: 'kill', startS: 10, endS: 12 }], okWrites: writes, events: [ev(1, 'n1', 2, 'leader'), ev(6, 'n2', 3, 'leader'), ev(10.5, 'n3', 4, 'leader')] });
    const m = measureRepetition([f]);
    expect(m.p50Ms).toBe(10);
    expect(m.p99Ms).toBe(30);
    expect(m.spuriousElections).toBe(1); // term 3 at 6 s, no fault; term 4 is the kill's
  });

  it('repetitions combine to medians, ignoring what one repetition did not measure', () => {
    const m = (electionS: number | null): CellMetrics => ({ ...measureRepetition([]), electionS });
    expect(combineRepetitions([m(1), m(3), m(2)]).electionS).toBe(2);
    expect(combineRepetitions([m(1), m(null)]).electionS).toBe(1);
    expect(combineRepetitions([m(null)]).electionS).toBeNull();
  });
});

const cell = (hb: number, el: number, pv: boolean, over: Partial<CellMetrics> | 'refused', valid: boolean = true): CellRecord => {
  const id = `hb${hb}-el${el}-pv-${pv ? 'on' : 'off'}`;
  if (over === 'refused') return { id, heartbeatMs: hb, electionMs: el, preVote: pv, status: 'refused', reason: 'etcd says no', runs: [] };
  return { id, heartbeatMs: hb, electionMs: el, preVote: pv, status: 'done', runs: [], valid, metrics: { ...measureRepetition([]), spuriousElections: 0, ...over } };
};

describe('recommendation', () => {
  it('the Pareto front keeps exactly the non-dominated points', () => {
    const pts = [
      { id: 'a', availabilityS: 1, p99Ms: 50 },
      { id: 'b', availabilityS: 2, p99Ms: 20 },
      { id: 'c', availabilityS: 2, p99Ms: 60 }, // dominated by a
      { id: 'd', availabilityS: 1, p99Ms: 50 }, // equal to a: neither dominates
    ];
    expect([...paretoFront(pts)].map((p) => p.id).sort()).toEqual(['a', 'b', 'd']);
  });

  it('never recommends a cell whose runs were not linearizable, and explains the pick', () => {
    const cs = [cell(50, 500, false, { unavailableS: 0.5, p99Ms: 10 }, false), cell(100, 1000, true, { unavailableS: 1.5, p99Ms: 12, electionS: 1.4 }), cell(100, 1000, false, { unavailableS: 1.6, p99Ms: 30 })];
    const r = recommend(cs);
    expect(r.axis).toBe('unavailableS');
    expect(r.best?.id).toBe('hb100-el1000-pv-on');
    expect(r.best?.reasons.join(' ')).toMatch(/Pareto front/);
    expect(r.best?.reasons.join(' ')).toMatch(/1 cell\(s\) excluded because a run was not linearizable/);
  });

  it('the rule-of-thumb check says what the data show, including refusals below 5×', () => {
    const cs = [cell(250, 500, false, 'refused'), cell(100, 500, false, { electionS: 0.8, lossLeaderChanges: 3 }), cell(50, 1000, false, { electionS: 1.5, lossLeaderChanges: 0 })];
    const text = ruleOfThumb(cs).join('\n');
    expect(text).toMatch(/the system refused 1 cell\(s\).*2×.*every one below 5×/);
    expect(text).toMatch(/3 for ratio < 7.5× \(1 cell\(s\)\) vs 0 for ratio ≥ 10× \(1 cell\(s\)\).*less stable/);
    expect(text).toMatch(/500 ms → 0.8 s, 1000 ms → 1.5 s.*grew with the timeout/);
    expect(ruleOfThumb([cell(100, 500, false, { lossLeaderChanges: 0 })]).join(' ')).toMatch(/cannot compare 5×/);
  });
});
