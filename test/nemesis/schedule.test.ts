// Unit tests of the schedule generator (seeded, pure) and of schedule files' validation with file:line:col.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seeded as seededRandom } from '../../src/generator/random.js';
import { generateActions, scheduleFromNames, type NemesisAction, type Schedule } from '../../src/nemesis/schedule.js';
import { loadSchedule, parseLocated, presetDir, validateSchedule } from '../../src/nemesis/spec.js';
import { nemesisNames } from '../../src/nemesis/registry.js';

const base: Schedule = scheduleFromNames(['a', 'b', 'c'], { interval: 2, duration: 3 });

/** Which faults are active after applying actions up to and including time t. */
function activeAt(actions: NemesisAction[], t: number): string[] {
  const on = new Set<string>();
  for (const a of actions) {
    if (a.at > t) break;
    if (a.f.startsWith('start-')) on.add(a.nemesis);
    else on.delete(a.nemesis);
  }
  return [...on].sort();
}

describe('generateActions', () => {
  it('cycles in order with calm between faults, cut short at the phase end', () => {
    const acts = generateActions(base, 1, 16_000);
    expect(acts.map((a) => `${a.at} ${a.f}`)).toEqual([
      '2000 start-a',
      '5000 stop-a',
      '7000 start-b',
      '10000 stop-b',
      '12000 start-c',
      '15000 stop-c',
    ]);
    expect(generateActions(base, 1, 13_000).at(-1)).toEqual({ at: 13_000, f: 'stop-c', nemesis: 'c', options: {} });
  });

  it('is deterministic for a seed and differs across seeds (random mode)', () => {
    const s = { ...base, mode: 'random' as const, interval: 1, duration: 1 };
    const a = generateActions(s, 7, 60_000);
    expect(generateActions(s, 7, 60_000)).toEqual(a);
    const others = [8, 9, 10].map((seed) => JSON.stringify(generateActions(s, seed, 60_000)));
    expect(others.some((o) => o !== JSON.stringify(a))).toBe(true);
    // Every start has its stop, and sequential faults never overlap.
    for (let t = 0; t < 60_000; t += 250) expect(activeAt(a, t).length).toBeLessThanOrEqual(1);
    expect(a.filter((x) => x.f.startsWith('start-')).length).toBe(a.filter((x) => x.f.startsWith('stop-')).length);
  });

  it('once mode runs each fault once', () => {
    const acts = generateActions({ ...base, mode: 'once' }, 1, 100_000);
    expect(acts.filter((a) => a.f.startsWith('start-')).map((a) => a.nemesis)).toEqual(['a', 'b', 'c']);
  });

  it('concurrent schedules overlap faults but never the same fault twice', () => {
    const s = { ...base, concurrent: true, interval: 1, duration: 2.5 };
    const acts = generateActions(s, 3, 20_000);
    let maxActive = 0;
    for (let t = 0; t <= 20_000; t += 100) maxActive = Math.max(maxActive, activeAt(acts, t).length);
    expect(maxActive).toBe(3);
    // A fault's next start comes only after its own stop.
    for (const f of ['a', 'b', 'c']) {
      const mine = acts.filter((a) => a.nemesis === f).map((a) => a.f.split('-')[0]);
      for (let i = 0; i < mine.length; i++) expect(mine[i]).toBe(i % 2 === 0 ? 'start' : 'stop');
    }
  });

  it('passes each fault its options', () => {
    const acts = generateActions({ ...base, options: { b: { p: 0.5 } } }, 1, 16_000);
    expect(acts.find((a) => a.nemesis === 'b')!.options).toEqual({ p: 0.5 });
  });

  it('seededRandom is in [0,1) and replays', () => {
    const r = seededRandom(123);
    const xs = Array.from({ length: 1000 }, r);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r2 = seededRandom(123);
    expect(Array.from({ length: 1000 }, r2)).toEqual(xs);
  });
});

describe('schedule files', () => {
  it('every preset under nemeses/ is valid', () => {
    const files = readdirSync(presetDir()).filter((f) => f.endsWith('.json'));
    expect(files).toContain('default.json');
    for (const f of files) {
      const s = validateSchedule(readFileSync(join(presetDir(), f), 'utf8'), f);
      expect(s.faults.length).toBeGreaterThan(0);
    }
    expect(loadSchedule('default').faults).toEqual(['partition-gray', 'partition-leader']);
  });

  it('reports schema problems at file:line:col', () => {
    const text = '{\n  "faults": ["partition-gray", "partiton-leader"],\n  "mode": "sometimes",\n  "interval": -1\n}\n';
    let msg = '';
    try {
      validateSchedule(text, 'bad.json', nemesisNames());
    } catch (e) {
      msg = (e as Error).message;
      expect((e as { code?: number }).code).toBe(3);
    }
    const lines = msg.split('\n');
    expect(lines[0]).toMatch(/^bad\.json:2:32: unknown nemesis "partiton-leader"/);
    expect(lines[1]).toMatch(/^bad\.json:3:11: "mode" must be one of cycle, random, once/);
    expect(lines[2]).toMatch(/^bad\.json:4:15: "interval" must be/);
  });

  it('reports syntax errors at file:line:col', () => {
    expect(() => validateSchedule('{\n  "faults": ["partition-gray",]\n}', 'x.json')).toThrow(/^x\.json:2:31: unexpected "\]"/);
    expect(() => validateSchedule('{"faults": ["partition-gray"], "faults": []}', 'y.json')).toThrow(/^y\.json:1:32: duplicate key "faults"/);
    expect(() => validateSchedule('{"faults": ["all"], "extra": 1}', 'z.json')).toThrow(/^z\.json:1:21: unknown key "extra"/);
  });

  it('the locating parser agrees with JSON.parse', () => {
    const text = JSON.stringify({ a: [1, -2.5e3, 'x\\"y\u00e9', null, true, { b: {} }], c: [] }, null, 2);
    expect(parseLocated(text).value).toEqual(JSON.parse(text));
  });

  it('a schedule from CLI names cycles through them with defaults', () => {
    expect(scheduleFromNames(['partition-gray', 'kill'])).toEqual({
      faults: ['partition-gray', 'kill'],
      mode: 'cycle',
      interval: 5,
      duration: 5,
      concurrent: false,
      options: {},
    });
  });
});
