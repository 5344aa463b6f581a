// Unit tests of the partition shapes: each grudge cuts exactly what its shape promises.
import { describe, expect, it } from 'vitest';
import type { Grudge } from '../../src/lab/lab.js';
import { bridge, complete, grayPair, halves, isolate, majoritiesRing, mergeGrudges, oneWay, shapeGrudge, SHAPES } from '../../src/nemesis/partition.js';
import { seeded as seededRandom } from '../../src/generator/random.js';

const N3 = ['n1', 'n2', 'n3'];
const N5 = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Does `a` accept packets from `b`? */
const hears = (g: Grudge, a: string, b: string): boolean => a === b || !(g[a] ?? []).includes(b);
/** The nodes `a` hears from, itself included. */
const view = (g: Grudge, nodes: string[], a: string): string[] => nodes.filter((b) => hears(g, a, b));
const symmetric = (g: Grudge, nodes: string[]): boolean => nodes.every((a) => nodes.every((b) => hears(g, a, b) === hears(g, b, a)));

describe('partition shapes', () => {
  it('complete cuts every pair across components, both ways, and nothing inside one', () => {
    const g = complete([['n1', 'n2'], ['n3']]);
    expect(g).toEqual({ n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2'] });
  });

  it('isolate cuts one node from all others', () => {
    expect(isolate(N5, 'n3')).toEqual({ n3: ['n1', 'n2', 'n4', 'n5'], n1: ['n3'], n2: ['n3'], n4: ['n3'], n5: ['n3'] });
  });

  it('halves cut a minority from a majority', () => {
    for (let seed = 0; seed < 20; seed++) {
      const g = halves(N5, seededRandom(seed));
      const sizes = N5.map((n) => view(g, N5, n).length).sort();
      expect(sizes).toEqual([2, 2, 3, 3, 3]);
      expect(symmetric(g, N5)).toBe(true);
    }
  });

  it('majorities ring: every node sees a majority, no two the same (3, 4, 5 and 7 nodes)', () => {
    for (const nodes of [N3, ['n1', 'n2', 'n3', 'n4'], N5, ['a', 'b', 'c', 'd', 'e', 'f', 'g']]) {
      for (let seed = 0; seed < 10; seed++) {
        const g = majoritiesRing(nodes, seededRandom(seed));
        const views = nodes.map((n) => view(g, nodes, n).join(','));
        for (const v of views) expect(v.split(',').length).toBeGreaterThan(nodes.length / 2);
        expect(new Set(views).size).toBe(nodes.length);
        expect(Object.keys(g).length).toBe(nodes.length);
      }
    }
    // Five nodes get a symmetric ring (each sees its two neighbours).
    expect(symmetric(majoritiesRing(N5, seededRandom(1)), N5)).toBe(true);
  });

  it('bridge: two halves that do not see each other, one node that sees everyone', () => {
    for (let seed = 0; seed < 10; seed++) {
      const g = bridge(N5, seededRandom(seed));
      const all = N5.filter((n) => view(g, N5, n).length === 5);
      expect(all).toHaveLength(1);
      const others = N5.filter((n) => n !== all[0]);
      for (const n of others) expect(view(g, N5, n)).toHaveLength(3);
      expect(symmetric(g, N5)).toBe(true);
    }
  });

  it('gray pair: the leader and one follower cut from each other, both still reach the third', () => {
    for (let seed = 0; seed < 10; seed++) {
      const g = grayPair(N3, 'n2', seededRandom(seed));
      expect(Object.keys(g).sort()).toContain('n2');
      const [other] = g['n2']!;
      expect(other).not.toBe('n2');
      expect(g).toEqual({ n2: [other], [other!]: ['n2'] });
      const third = N3.find((n) => n !== 'n2' && n !== other)!;
      expect(hears(g, 'n2', third) && hears(g, third, 'n2') && hears(g, other!, third) && hears(g, third, other!)).toBe(true);
    }
  });

  it('one-way: a follower drops the leader, the leader still hears it', () => {
    const g = oneWay(N3, 'n1', seededRandom(3));
    const [dropper] = Object.keys(g);
    expect(g[dropper!]).toEqual(['n1']);
    expect(dropper).not.toBe('n1');
    expect(hears(g, 'n1', dropper!)).toBe(true);
    expect(hears(g, dropper!, 'n1')).toBe(false);
  });

  it('every shape is deterministic for a seed and needs a leader only where it says', () => {
    for (const shape of SHAPES) {
      const a = shapeGrudge(shape, N5, 'n4', seededRandom(42));
      const b = shapeGrudge(shape, N5, 'n4', seededRandom(42));
      expect(a).toEqual(b);
      expect(Object.keys(a).length).toBeGreaterThan(0);
    }
    expect(() => shapeGrudge('leader', N3, undefined, seededRandom(1))).toThrow(/no leader/);
    expect(shapeGrudge('one', N3, undefined, seededRandom(1), 'n2')).toEqual(isolate(N3, 'n2'));
  });

  it('merging grudges unions each node\'s drops', () => {
    expect(mergeGrudges([{ n1: ['n2'] }, { n1: ['n3'], n2: ['n1'] }, { n1: ['n2'] }])).toEqual({ n1: ['n2', 'n3'], n2: ['n1'] });
  });
});
