// The set workload through the generator: every add's element is unique, reads carry null, one final read per node.
import { describe, expect, it } from 'vitest';
import { OpGenerator } from '../../src/generator/generator.js';
import type { Json } from '../../src/history/op.js';
import { createWorkload } from '../../src/workload/index.js';

const draw = (seed: number, n: number) => {
  const w = createWorkload('set')!;
  const g = new OpGenerator(w, { seed, concurrency: 6, nodes: ['n1', 'n2', 'n3'], keys: { threadsPerKey: 3, opsPerKey: 300 } });
  const ops = Array.from({ length: n }, (_, i) => g.next(i % 6));
  return { w, g, ops };
};

describe('set workload', () => {
  it('draws adds of unique elements and whole-set reads, with no key field, judged by set-full', () => {
    const { w, ops } = draw(3, 5000);
    expect(w.model).toBe('set-full');
    const added: Json[] = [];
    let reads = 0;
    for (const op of ops) {
      expect(op.key).toBeUndefined();
      expect(['add', 'read']).toContain(op.f);
      if (op.f === 'read') {
        expect(op.value).toBeNull();
        reads++;
      } else added.push(op.value);
    }
    expect(new Set(added).size).toBe(added.length);
    expect(added.every((e) => Number.isSafeInteger(e))).toBe(true);
    // add:4, read:1 by default: reads are periodic, a fifth of the ops or so.
    expect(reads / ops.length).toBeGreaterThan(0.12);
    expect(reads / ops.length).toBeLessThan(0.28);
  });

  it('notes one key, so the final reads are one whole-set read per node', () => {
    const { w, g } = draw(4, 100);
    expect(g.keys.keys()).toEqual(['set']);
    expect(w.finalRead!('set')).toEqual({ f: 'read', value: null });
  });

  it('replays from the seed', () => {
    expect(draw(5, 300).ops).toEqual(draw(5, 300).ops);
    expect(draw(5, 300).ops.map((o) => o.f)).not.toEqual(draw(6, 300).ops.map((o) => o.f));
  });
});
