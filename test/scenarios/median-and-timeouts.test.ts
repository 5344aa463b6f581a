// Scenarios 7 (quorum median, netns lab with per-link delays) and 8 (election timeout rule of thumb) end to end, short form.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommon, figures, newLeaderOrSlowElection, runScenarios, tempResults, trialText, type CatalogueRun } from './support.js';

let dir: string;
let run: CatalogueRun;

const lines = (cmd: string, args: string[]): string[] => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

beforeAll(async () => {
  dir = tempResults('faultline-scen-c-');
  run = await runScenarios(['quorum-median', 'timeout-rule'], dir);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline scenarios quorum-median timeout-rule --short', () => {
  it('runs every promised trial, analyses every run, derives each verdict from its numbers, leaves nothing running', () => {
    expect(run.results.map((r) => r.name)).toEqual(['quorum-median', 'timeout-rule']);
    checkCommon(run);
    const runIds = run.results.flatMap((r) => r.runs.map((x) => x.runDir.split('-').pop()!));
    const netns = lines('ip', ['netns', 'list']);
    for (const id of runIds) expect(netns.filter((l) => l.includes(id))).toEqual([]);
    expect(lines('pgrep', ['-af', 'nfqueue-delay']).filter((l) => runIds.some((id) => l.includes(id)))).toEqual([]);
  });

  it('quorum median: the delays were applied per follower, relative to the leader, and the leader wrote through them', () => {
    const q = run.results[0]!;
    const v = q.variants[0]!.name;
    const t = q.trials[0]!;
    expect(t.notes.some((n) => /^leader n\d; added one-way delays on the followers' packets to it: 10, 20, 40, 80 ms$/.test(n))).toBe(true);
    expect(figures(q, v, 'predictedMs')).toEqual([20]);
    expect(figures(q, v, 'writes')[0]!).toBeGreaterThanOrEqual(q.criteria['minWrites']!);
    // Whatever the verdict, the delayed writes were slower than the undelayed ones by at least the fastest follower's delay.
    expect(figures(q, v, 'addedMs')[0]!).toBeGreaterThan(10 - q.criteria['toleranceMs']!);
  });

  it('timeout rule: every kill elected a new leader (or a slow election with writes stalled throughout), no sooner than its timeout; loss windows were counted', () => {
    const r = run.results[1]!;
    const kills = ['kill-5x', 'kill-10x', 'kill-20x'];
    const rec = kills.map((v) => newLeaderOrSlowElection(r, v, 0));
    // A slow election now and then is etcd's; none at all in any trial would be ours.
    expect(rec.some((x) => x !== null), trialText(r, kills[0]!, 0)).toBe(true);
    rec.forEach((x, i) => {
      // No election can win before the (randomised, >= 1x) election timeout of the survivors has run out.
      if (x !== null) expect(x, trialText(r, kills[i]!, 0)).toBeGreaterThanOrEqual([0.5, 1, 2][i]! * 0.9);
    });
    for (const v of ['loss-5x', 'loss-10x', 'loss-20x']) expect(figures(r, v, 'spuriousLeaders')[0]).toBeTypeOf('number');
  });
});
