// The generator: phases, independent keys, per-node mixes, rate slots, and seed replay.
import { describe, it, expect } from 'vitest';
import { OpGenerator, type DrawnOp } from '../../src/generator/generator.js';
import { KeyPlan } from '../../src/generator/keys.js';
import { planPhases } from '../../src/generator/phases.js';
import { seeded, stream } from '../../src/generator/random.js';
import { RateLimiter } from '../../src/generator/rate.js';
import { kvWorkload } from '../../src/workload/kv.js';
import { registerWorkload } from '../../src/workload/register.js';

const nodes = ['n1', 'n2', 'n3'];
function draw(seed: number, n = 300, concurrency = 6): DrawnOp[] {
  const g = new OpGenerator(registerWorkload(), { seed, concurrency, nodes, keys: { threadsPerKey: 3, opsPerKey: 20 } });
  const out: DrawnOp[] = [];
  for (let i = 0; i < n; i++) out.push(g.next(i % concurrency));
  return out;
}

describe('generator', () => {
  it('the same seed replays the same ops; another seed does not', () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });

  it("a worker's ops do not depend on how often other workers drew", () => {
    const a = new OpGenerator(registerWorkload(), { seed: 7, concurrency: 2, nodes, keys: { threadsPerKey: 1, opsPerKey: 1000 } });
    const b = new OpGenerator(registerWorkload(), { seed: 7, concurrency: 2, nodes, keys: { threadsPerKey: 1, opsPerKey: 1000 } });
    for (let i = 0; i < 50; i++) a.next(1);
    const fa = Array.from({ length: 20 }, () => a.next(0));
    const fb = Array.from({ length: 20 }, () => b.next(0));
    expect(fa.map((o) => [o.f, o.value])).toEqual(fb.map((o) => [o.f, o.value]));
  });

  it('spreads workers over nodes round-robin and honours per-node mixes', () => {
    const g = new OpGenerator(registerWorkload(), { seed: 1, concurrency: 6, nodes, mix: { write: 1 }, nodeMix: { n3: { read: 1 } }, keys: { threadsPerKey: 3, opsPerKey: 50 } });
    for (let i = 0; i < 120; i++) {
      const w = i % 6;
      const op = g.next(w);
      expect(op.node).toBe(nodes[w % 3]);
      expect(op.f).toBe(op.node === 'n3' ? 'read' : 'write');
    }
  });

  it('register values stay in the small range; cas is [expected, new]', () => {
    for (const op of draw(5, 500)) {
      if (op.f === 'read') expect(op.value).toBeNull();
      if (op.f === 'write') expect(op.value).toSatisfy((v: unknown) => typeof v === 'number' && v >= 0 && v < 5);
      if (op.f === 'cas') expect(op.value).toHaveLength(2);
    }
    const fs = new Set(draw(5, 500).map((o) => o.f));
    expect([...fs].sort()).toEqual(['cas', 'read', 'write']);
  });

  it('kv appends are unique strings', () => {
    const g = new OpGenerator(kvWorkload(), { seed: 3, concurrency: 4, nodes, keys: { threadsPerKey: 2, opsPerKey: 100 } });
    const appends = Array.from({ length: 400 }, (_, i) => g.next(i % 4)).filter((o) => o.f === 'append').map((o) => o.value);
    expect(appends.length).toBeGreaterThan(50);
    expect(new Set(appends).size).toBe(appends.length);
  });
});

describe('keys', () => {
  it('each key gets a bounded number of ops, then the group moves to a fresh key; groups never share keys', () => {
    const plan = new KeyPlan(6, { threadsPerKey: 3, opsPerKey: 10 });
    const perKey = new Map<string, Set<number>>();
    const count = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const w = i % 6;
      const k = plan.next(w);
      count.set(k, (count.get(k) ?? 0) + 1);
      perKey.set(k, (perKey.get(k) ?? new Set()).add(plan.groupOf(w)));
    }
    for (const [k, c] of count) expect(c, k).toBeLessThanOrEqual(10);
    for (const [k, groups] of perKey) expect(groups.size, k).toBe(1);
    expect(plan.keys()).toHaveLength(60);
  });
});

describe('phases', () => {
  it('warm-up, faults, heal, recovery, final reads within the time limit', () => {
    const p = planPhases({ timeLimitS: 30, warmupS: 3, recoveryS: 5 });
    expect(p.map((x) => x.name)).toEqual(['warm-up', 'faults', 'heal', 'recovery', 'final-reads']);
    expect(p.map((x) => x.durationS)).toEqual([3, 22, 0, 5, 0]);
  });

  it('a short limit shrinks warm-up and recovery so faults get at least half', () => {
    const p = planPhases({ timeLimitS: 8, warmupS: 3, recoveryS: 5 });
    expect(p.map((x) => x.durationS)).toEqual([2, 4, 0, 2, 0]);
  });
});

describe('random and rate', () => {
  it('seeded streams are reproducible and independent by name', () => {
    const a = seeded(1);
    const b = seeded(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(stream(1, 'worker-0')()).not.toBe(stream(1, 'worker-1')());
  });

  it('rate slots are evenly spaced from the start and never skipped', () => {
    const r = new RateLimiter(100, 5_000_000);
    expect([r.next(), r.next(), r.next()]).toEqual([5_000_000, 15_000_000, 25_000_000]);
  });
});
