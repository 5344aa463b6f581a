// `--nemesis all`: a seeded random draw per fault window from every available fault, fitted to the phase, with
// the coverage (ran / available / skipped and why) reported.
import { describe, expect, it } from 'vitest';
import { coverageLine } from '../../src/cli/run.js';
import { skippedByReason } from '../../src/nemesis/coverage.js';
import { allFaultNames } from '../../src/nemesis/registry.js';
import { generateActions } from '../../src/nemesis/schedule.js';
import { resolveSchedule } from '../../src/run/faults.js';

const starts = (seed: number, faults: string[], phaseMs = 60_000): string[] => {
  const s = { ...resolveSchedule('all')!, faults };
  return generateActions(s, seed, phaseMs).filter((a) => a.f.startsWith('start-')).map((a) => a.nemesis);
};

describe('--nemesis all', () => {
  it('is the random mix of nemeses/all.json, drawing from every registered fault except the random partition', () => {
    const s = resolveSchedule('all')!;
    expect(s.mode).toBe('random');
    expect(s.faults).toEqual(['all']);
    const all = allFaultNames();
    expect(all).toEqual(expect.arrayContaining(['pause', 'kill', 'slow-fsync', 'loss', 'delay', 'member', 'transfer-leader', 'partition-gray']));
    expect(all).not.toContain('partition');
    expect(all).not.toContain('all');
  });

  it('the same seed replays the same draws; seeds 1-4 differ; over many windows every fault is drawn', () => {
    const faults = allFaultNames();
    expect(starts(7, faults)).toEqual(starts(7, faults));
    const draws = [1, 2, 3, 4].map((seed) => starts(seed, faults).join(','));
    expect(new Set(draws).size).toBe(4);
    const long = new Set(starts(1, faults, 600_000));
    expect([...long].sort()).toEqual([...faults].sort());
  });

  it('fits the phase: no window is cut short, and a phase shorter than one window draws nothing', () => {
    const s = resolveSchedule('all')!;
    const acts = generateActions({ ...s, faults: ['a', 'b', 'c'] }, 3, 16_000);
    const durationMs = s.duration * 1000;
    for (let i = 0; i < acts.length; i += 2) expect(acts[i + 1]!.at - acts[i]!.at).toBe(durationMs);
    expect(acts.length).toBe(4); // 2 s calm + 4 s fault, twice, in 16 s; a third would end at 18 s
    expect(generateActions({ ...s, faults: ['a'] }, 3, 5_000)).toEqual([]);
  });

  it('says which faults ran, which could have, and why the rest were skipped (grouped by reason)', () => {
    const line = coverageLine({
      of: ['pause', 'kill', 'member', 'clock-bump', 'clock-skew'],
      available: ['pause', 'kill'],
      ran: { pause: 2 },
      skipped: [
        { name: 'member', reason: 'antietcd has no membership API' },
        { name: 'clock-bump', reason: 'needs libfaketime' },
        { name: 'clock-skew', reason: 'needs libfaketime' },
      ],
    });
    expect(line).toBe('fault coverage: 1 of 5 ran (pause ×2); available but not drawn this run: kill; skipped here: member (antietcd has no membership API); clock-bump, clock-skew (needs libfaketime)');
    expect(skippedByReason([])).toEqual([]);
  });
});
