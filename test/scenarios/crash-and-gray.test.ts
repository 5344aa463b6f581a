// Scenarios 1 (gray failure, pre-vote on/off), 2 (leader crash) and 4 (slow WAL) end to end on real etcd, short form, one CLI call.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommon, figures, newLeaderOrSlowElection, runScenarios, tempResults, trialText, type CatalogueRun } from './support.js';

let dir: string;
let run: CatalogueRun;

beforeAll(async () => {
  dir = tempResults('faultline-scen-a-');
  run = await runScenarios(['gray-failure', 'leader-crash', 'slow-wal'], dir);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline scenarios gray-failure leader-crash slow-wal --short', () => {
  it('runs every promised trial, analyses every run, derives each verdict from its numbers, leaves nothing running', () => {
    expect(run.results.map((r) => r.name)).toEqual(['gray-failure', 'leader-crash', 'slow-wal']);
    checkCommon(run);
  });

  it('leader crash: every kill got a new leader no sooner than etcd can elect one (or a slow election with writes stalled throughout), and writes waited for it', () => {
    const crash = run.results[1]!;
    const electionS = crash.cluster.electionMs / 1000;
    const gap = figures(crash, 'crash', 'unavailableS');
    expect(gap.length).toBeGreaterThanOrEqual(2);
    const leaders = gap.map((_, i) => newLeaderOrSlowElection(crash, 'crash', i));
    // A slow election now and then is etcd's; none at all in any trial would be ours.
    expect(leaders.some((l) => l !== null), trialText(crash, 'crash', 0)).toBe(true);
    gap.forEach((g, i) => {
      const l = leaders[i]!;
      if (l === null) return;
      // A follower campaigns only after its randomized timeout (>= election timeout minus one heartbeat).
      expect(l, trialText(crash, 'crash', i)).toBeGreaterThan(0.5 * electionS);
      expect(l).toBeLessThanOrEqual(crash.formSettings.holdS);
      // No write can be acknowledged while there is no leader.
      expect(g!).toBeGreaterThan(l - 0.25);
    });
    // The spread leaves out trials a harness stall overlapped (when clean ones exist): n counts the clean ones.
    const mine = crash.trials.filter((t) => t.variant === 'crash');
    const clean = mine.filter((t) => !t.suspect).length;
    expect(crash.spreads['crash']!['newLeaderS']!.n).toBe(clean > 0 ? clean : mine.length);
  });

  it('gray failure: both arms measured during and after the heal, inside their windows', () => {
    const gray = run.results[0]!;
    for (const v of ['prevote-on', 'prevote-off']) {
      for (const k of ['termGrowth', 'leaderChangesDuring', 'leaderChangesAfter', 'gapDuringS', 'gapAfterS']) {
        for (const x of figures(gray, v, k)) expect(typeof x, `${v} ${k}`).toBe('number');
      }
      for (const x of figures(gray, v, 'gapDuringS')) expect(x!).toBeLessThanOrEqual(gray.formSettings.holdS + 0.5);
      // Terms never go down: growth over during + after is at least growth during.
      const all = figures(gray, v, 'termGrowth');
      figures(gray, v, 'termGrowthDuring').forEach((d, i) => expect(all[i]!).toBeGreaterThanOrEqual(d!));
    }
  });

  it('slow WAL: the slowed node is the one whose fsync p99 etcd reports, and 100 ms fsyncs slow writes down', () => {
    const wal = run.results[2]!;
    for (const v of ['fsync-10', 'fsync-50', 'fsync-100']) {
      expect(figures(wal, v, 'walFsyncP99DuringMs')[0], v).not.toBeNull();
      // The alert reads the run's p99 (where the slowed fsyncs may be under 1%), so it is raised exactly when that is above 50 ms.
      const run = figures(wal, v, 'walFsyncP99Ms')[0]!;
      expect(figures(wal, v, 'fsyncAlert'), `${v}: run p99 ${run} ms`).toEqual([run > 50 ? 1 : 0]);
    }
    // While slowed, etcd's own histogram shows the injected 100 ms.
    expect(figures(wal, 'fsync-100', 'walFsyncP99DuringMs')[0]!).toBeGreaterThan(50);
    expect(figures(wal, 'fsync-100', 'commitP50DuringMs')[0]!).toBeGreaterThan(figures(wal, 'fsync-100', 'commitP50BeforeMs')[0]!);
  });
});
