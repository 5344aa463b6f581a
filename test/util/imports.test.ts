// The import picture cannot regress: no import runs back up the declared folder order, and no file circle.
import { describe, expect, it } from 'vitest';
import { FOLDER_ORDER, fileCycles, importEdges, upwardEdges, type ImportEdge } from '../../bench/imports.js';

const root = new URL('../..', import.meta.url).pathname;
const edges = importEdges(root);


describe('imports', () => {
  it('sees the imports there are (static, type-only, re-exports and dynamic)', () => {
    expect(edges.length).toBeGreaterThan(300);
    const has = (from: string, to: string): boolean => edges.some((e) => e.from === from && e.to === to);
    expect(has('src/system/etcd.ts', 'src/results/layout.ts')).toBe(true);
    expect(has('src/lab/ledger.ts', 'src/lab/proc.ts')).toBe(true);
  });

  it('every folder of src/ has a place in the order', () => {
    const folders = new Set(edges.flatMap((e) => [e.fromFolder, e.toFolder]));
    expect([...folders].filter((f) => !FOLDER_ORDER.includes(f))).toEqual([]);
  });

  it('no import runs back up the order', () => {
    expect(upwardEdges(edges).map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('finds an upward arrow and a circle when there is one', () => {
    const e = (from: string, to: string): ImportEdge => ({ from, to, fromFolder: from.split('/')[1]!, toFolder: to.split('/')[1]! });
    expect(upwardEdges([e('src/system/etcd.ts', 'src/run/runner.ts')])).toHaveLength(1);
    expect(upwardEdges([e('src/run/runner.ts', 'src/system/etcd.ts')])).toHaveLength(0);
    expect(fileCycles([e('src/lab/a.ts', 'src/lab/b.ts'), e('src/lab/b.ts', 'src/lab/c.ts'), e('src/lab/c.ts', 'src/lab/a.ts')])).toEqual([['src/lab/a.ts', 'src/lab/b.ts', 'src/lab/c.ts']]);
  });

  it('no file imports itself round a circle', () => {
    expect(fileCycles(edges).map((c) => c.join(' → '))).toEqual([]);
  });
});
