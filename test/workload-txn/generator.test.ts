// The list-append workload through the generator: unique elements per key, bounded lists, key rotation, final reads.
import { describe, expect, it } from 'vitest';
import { OpGenerator } from '../../src/generator/generator.js';
import type { Json } from '../../src/history/op.js';
import { createWorkload } from '../../src/workload/index.js';

const draw = (seed: number, n: number) => {
  const w = createWorkload('list-append')!;
  const g = new OpGenerator(w, { seed, concurrency: 6, nodes: ['n1', 'n2', 'n3'], keys: { threadsPerKey: 3, opsPerKey: 300 } });
  const ops = Array.from({ length: n }, (_, i) => g.next(i % 6));
  return { w, g, ops };
};

describe('list-append workload', () => {
  it('draws txns of 1-4 append / read micro-ops with no key field; every element is unique on its key', () => {
    const { ops } = draw(7, 3000);
    const seen = new Map<string, Set<Json>>();
    const lengths = new Set<number>();
    for (const op of ops) {
      expect(op.f).toBe('txn');
      expect(op.key).toBeUndefined();
      const mops = op.value as [string, string, Json][];
      lengths.add(mops.length);
      for (const [f, k, v] of mops) {
        expect(['append', 'r']).toContain(f);
        if (f === 'r') {
          expect(v).toBeNull();
          continue;
        }
        const s = seen.get(k) ?? new Set();
        expect(s.has(v)).toBe(false);
        s.add(v);
        seen.set(k, s);
      }
    }
    expect([...lengths].sort()).toEqual([1, 2, 3, 4]);
    // Each key retires after 32 appends: no list grows past that.
    for (const s of seen.values()) expect(s.size).toBeLessThanOrEqual(32);
  });

  it('rotates keys: at most 5 in play at once, fresh ones replacing the retired, all listed for the final reads', () => {
    const { w, g, ops } = draw(11, 3000);
    const keys = new Set(ops.flatMap((o) => (o.value as [string, string][]).map((m) => m[1])));
    // 3000 txns append ~3750 elements; 32 per key means well over 100 keys used over time.
    expect(keys.size).toBeGreaterThan(60);
    for (let i = 0; i + 50 <= ops.length; i += 50) {
      const window = new Set(ops.slice(i, i + 50).flatMap((o) => (o.value as [string, string][]).map((m) => m[1])));
      // A window of 50 txns spans at most a few retirements.
      expect(window.size).toBeLessThanOrEqual(5 + 10);
    }
    expect(new Set(g.keys.keys())).toEqual(keys);
    expect(w.finalRead!('k3')).toEqual({ f: 'txn', value: [['r', 'k3', null]] });
  });

  it('replays from the seed', () => {
    expect(draw(5, 200).ops).toEqual(draw(5, 200).ops);
    expect(draw(5, 200).ops).not.toEqual(draw(6, 200).ops);
  });
});
