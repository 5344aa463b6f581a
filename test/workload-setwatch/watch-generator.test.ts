// The watch workload through the generator: writes on keys under watch/ with unique values, watchers that resume
// from the last revision they saw + 1, one final watch per node.
import { describe, expect, it } from 'vitest';
import { OpGenerator } from '../../src/generator/generator.js';
import type { Json } from '../../src/history/op.js';
import { createWorkload } from '../../src/workload/index.js';

const generator = (seed: number) => {
  const w = createWorkload('watch')!;
  const g = new OpGenerator(w, { seed, concurrency: 6, nodes: ['n1', 'n2', 'n3'], keys: { threadsPerKey: 3, opsPerKey: 300 } });
  return { w, g };
};

describe('watch workload', () => {
  it('puts unique values and deletes on keys under watch/; watches carry no key and watch the prefix', () => {
    const { w, g } = generator(3);
    expect(w.model).toBe('watch');
    const ops = Array.from({ length: 6000 }, (_, i) => g.next(i % 6));
    const puts = ops.filter((o) => o.f === 'put');
    expect(new Set(puts.map((o) => o.value)).size).toBe(puts.length);
    for (const o of ops) {
      if (o.f === 'watch') {
        expect(o.key).toBeUndefined();
        expect(o.value).toMatchObject({ key: 'watch/', prefix: true, prevKV: true, startRev: 1 });
      } else expect(o.key).toMatch(/^watch\/k[0-4]$/);
    }
    expect(ops.filter((o) => o.f === 'delete').length).toBeGreaterThan(0);
    expect(ops.filter((o) => o.f === 'watch').length).toBeGreaterThan(0);
    // One noted key: one final watch per node, from revision 1, named by its process (no watcher field).
    expect(g.keys.keys()).toEqual(['watch']);
    expect(w.finalRead!('watch')).toEqual({ f: 'watch', value: { key: 'watch/', prefix: true, startRev: 1, prevKV: true } });
  });

  it("a watcher resumes from the last revision it saw + 1, whether its stream ended ok or broke; others are untouched", () => {
    const { g } = generator(4);
    const drawWatch = (worker: number) => {
      for (let i = 0; i < 10_000; i++) {
        const d = g.next(worker);
        if (d.f === 'watch') return d;
      }
      throw new Error('no watch drawn');
    };
    const first = drawWatch(2);
    expect(first.value).toMatchObject({ watcher: 'w2', startRev: 1 });
    const ev = (rev: number): Json => ({ rev, key: 'watch/k1', type: 'put', value: rev });
    g.completed(2, first, { type: 'info', error: 'connection-reset', value: { responses: [[ev(5)], [ev(9), ev(12)]] } });
    expect(drawWatch(2).value).toMatchObject({ watcher: 'w2', startRev: 13 });
    // An empty stream learns nothing; a failed watch neither.
    g.completed(2, first, { type: 'ok', value: { responses: [] } });
    g.completed(2, first, { type: 'fail', error: 'connection-refused', value: { responses: [] } });
    expect(drawWatch(2).value).toMatchObject({ startRev: 13 });
    expect(drawWatch(3).value).toMatchObject({ watcher: 'w3', startRev: 1 });
  });
});
