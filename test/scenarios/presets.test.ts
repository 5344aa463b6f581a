// Scenario presets, measurement helpers and verdict rules on their own (no etcd): validation, usage errors, window maths.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import { presetFiles, parsePreset } from '../../src/scenario/preset.js';
import { faultEvents } from '../../src/history/faults.js';
import { faultWindows } from '../../src/report/windows.js';
import { longestWriteGap, nodesOf } from '../../src/scenario/measure.js';
import { findModule, scenarioKinds } from '../../src/scenario/registry.js';
import { selectPresets } from '../../src/scenario/catalogue.js';
import { phaseLengths } from '../../src/scenario/trial.js';
import { planPhases } from '../../src/generator/phases.js';
import { generateActions } from '../../src/nemesis/schedule.js';
import { spread } from '../../src/scenario/stats.js';
import type { Spread, Trial } from '../../src/scenario/types.js';
import { cli } from '../run/cli.js';

const S = 1e9;

describe('presets', () => {
  it('every preset in scenarios/ parses, names match files, and every kind is registered', () => {
    const files = presetFiles();
    expect(files.map((f) => f.name)).toEqual(['gray-failure', 'leader-crash', 'transfer-vs-crash', 'slow-wal', 'minority-partition', 'membership', 'quorum-median', 'timeout-rule', 'phantom-leader']);
    for (const p of selectPresets([])) {
      expect(files.some((f) => f.name === p.name)).toBe(true);
      expect(scenarioKinds()).toContain(p.kind);
      expect(p.claim.length).toBeGreaterThan(20);
    }
  });

  it('a bad preset is one line naming file and key', () => {
    const base = { name: 'x', title: 'X', claim: 'c', kind: 'leader-crash', cluster: { nodes: 3 }, variants: [{ name: 'a', fault: 'kill' }], short: { runs: 1, faultsPerRun: 1, calmS: 1, holdS: 1 }, full: { runs: 1, faultsPerRun: 1, calmS: 1, holdS: 1 } };
    const bad = (patch: object, re: RegExp): void => {
      expect(() => parsePreset(JSON.stringify({ ...base, ...patch }), 'f.json', scenarioKinds())).toThrow(re);
    };
    expect(parsePreset(JSON.stringify(base), 'f.json', scenarioKinds()).cluster.electionMs).toBe(1000);
    bad({ kind: 'nope' }, /^f\.json: kind: unknown scenario kind "nope"/);
    bad({ variants: [{ name: 'a', fault: 'explode' }] }, /variants\[0\]\.fault: unknown nemesis "explode"/);
    bad({ variants: [{ name: 'a', fault: 'kill', raft: { heartbeatMs: 300, electionMs: 1000 } }] }, /etcd: election timeout 1000 ms must be at least 5 × heartbeat 300 ms/);
    bad({ short: { runs: 0, faultsPerRun: 1, calmS: 1, holdS: 1 } }, /short\.runs: must be an integer >= 1/);
    bad({ colour: 'red' }, /\$\.colour: unknown key/);
    expect(() => parsePreset('{', 'f.json', scenarioKinds())).toThrow(/^f\.json: not valid JSON/);
  });

  it('phase lengths leave room for exactly faultsPerRun faults, each followed by a full after-window', () => {
    for (const p of selectPresets([])) {
      for (const f of [p.short, p.full]) {
        const ph = phaseLengths(f);
        const phases = planPhases({ timeLimitS: ph.timeLimitS, warmupS: ph.warmupS, recoveryS: ph.recoveryS });
        const faultPhase = phases.find((x) => x.name === 'faults')!.durationS;
        expect(faultPhase).toBeGreaterThanOrEqual(ph.faultS - 1e-6);
        const actions = generateActions({ faults: ['kill'], mode: 'cycle', interval: f.calmS, duration: f.holdS, concurrent: false, options: {} }, 1, faultPhase * 1000);
        expect(actions.filter((a) => a.f === 'start-kill').length, p.name).toBe(f.faultsPerRun);
        const lastStop = Math.max(...actions.map((a) => a.at));
        expect(faultPhase * 1000 - lastStop).toBeGreaterThanOrEqual(0.9 * f.calmS * 1000 - 1);
      }
    }
  });
});

describe('measurements', () => {
  it('pairs nemesis invocations with their completions', () => {
    const n = (time: number, type: 'invoke' | 'info', f: string, value: Op['value'] = null): Op => ({ index: 0, time, process: 'nemesis', type, f, value });
    const ev = faultEvents([n(1, 'invoke', 'start-kill'), n(2, 'info', 'start-kill', { nodes: ['n1'] }), n(5, 'invoke', 'stop-kill'), n(7, 'info', 'stop-kill', { error: 'boom' })]);
    expect(ev).toEqual([{ fault: 'kill', start: 1, started: 2, startValue: { nodes: ['n1'] }, stop: 5, stopped: 7, stopValue: { error: 'boom' }, error: 'boom' }]);
  });

  it('one fault-window parser: report seconds equal scenario nanoseconds, for our records and for Jepsen ones', () => {
    const n = (time: number, type: 'invoke' | 'info', f: string, value: Op['value'] = null): Op => ({ index: 0, time, process: 'nemesis', type, f, value });
    // Jepsen records both halves of an action as info; ours as invoke then info. Same windows either way.
    for (const t of ['invoke', 'info'] as const) {
      const h = [n(1e9, t, 'start-pause'), n(1.5e9, 'info', 'start-pause', { nodes: ['n2'] }), n(3e9, t, 'stop-pause'), n(3.2e9, 'info', 'stop-pause'), n(4e9, t, 'start-pause')];
      const ev = faultEvents(h);
      expect(ev.map((e) => [e.start, e.started, e.stop, e.stopped])).toEqual([[1e9, 1.5e9, 3e9, 3.2e9], [4e9, 4e9, null, null]]);
      expect(faultWindows(h, 5e9)).toEqual([
        { fault: 'pause', startS: 1, endS: 3.2, open: false, value: { nodes: ['n2'] } },
        { fault: 'pause', startS: 4, endS: 5, open: true },
      ]);
    }
  });

  it('reads target nodes from both nemesis value shapes', () => {
    expect(nodesOf({ nodes: ['n1', 'n2'] })).toEqual(['n1', 'n2']);
    expect(nodesOf({ nodes: [{ node: 'n2', pid: 1 }], delayMs: 5 })).toEqual(['n2']);
    expect(nodesOf(null)).toEqual([]);
  });

  it('measures the longest write gap from the last write before a fault, cut at the window end', () => {
    const ok = [0.1, 0.2, 0.3, 1.9, 2.0].map((x) => x * S);
    expect(longestWriteGap(ok, 0.35 * S, 3 * S, true)).toBeCloseTo(1.6, 6);
    expect(longestWriteGap(ok, 0.35 * S, 3 * S)).toBeCloseTo(1.55, 6);
    expect(longestWriteGap(ok, 2.5 * S, 4 * S, true)).toBeCloseTo(2.0, 6);
  });

  it('spreads use nearest-rank quantiles (observed values) and skip trials that could not measure', () => {
    expect(spread([3, null, 1, 2])).toEqual({ n: 3, median: 2, p10: 1, p90: 3, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2]).median).toBe(2); // the lower middle value of an even count, never 2.5
    expect(spread([]).median).toBeNull();
  });
});

describe('verdict rules follow the preset criteria', () => {
  const sp = (median: number): Spread => ({ n: 3, median, p10: median, p90: median, min: median, max: median });
  const [crash] = selectPresets(['leader-crash']);
  const trial = (x: number): Trial => ({ variant: 'crash', runDir: '', event: 0, atS: 0, figures: { newLeaderS: x }, suspect: false, notes: [] });
  const at = (m: number): string => findModule('leader-crash')!.evaluate(crash!, { crash: { newLeaderS: sp(m), firstCampaignS: sp(m), campaignS: sp(0), unavailableS: sp(m) } }, [trial(m)]).verdict;

  it('leader crash: the median against aboutFactor × election timeout decides', () => {
    const limit = crash!.criteria['aboutFactor']! * (crash!.cluster.electionMs / 1000);
    expect(at(limit * 0.99)).toBe('holds');
    expect(at(limit * 1.01)).toBe('does not hold');
  });

  it('a variant with nothing measured is inconclusive, never a pass', () => {
    const [tr] = selectPresets(['transfer-vs-crash']);
    const empty = spread([]);
    expect(findModule('transfer-vs-crash')!.evaluate(tr!, { transfer: { unavailableS: empty, newLeaderS: empty }, crash: { unavailableS: sp(1), newLeaderS: sp(1) } }, []).verdict).toBe('inconclusive');
  });
});

describe('faultline scenarios usage', () => {
  it('lists the catalogue; bad names and flags exit 3 with one line', async () => {
    const list = await cli(['scenarios', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['gray-failure', 'leader-crash', 'transfer-vs-crash', 'slow-wal', 'minority-partition', 'membership', 'quorum-median', 'timeout-rule', 'phantom-leader']);
    for (const [args, re] of [
      [['scenarios', 'nope'], /unknown scenario "nope" \(known: gray-failure/],
      [['scenarios', '--short', '--full'], /--short or --full, not both/],
      [['scenarios', '--fast'], /faultline scenarios: .*--fast/],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });
});
