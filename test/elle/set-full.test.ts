// The set-full checker: each class on a hand-built history, and a generated valid one.
import { describe, expect, it } from 'vitest';
import { checkSetFull } from '../../src/checker/elle/set-full.js';
import type { Json, Op } from '../../src/history/op.js';

class SetHistory {
  readonly ops: Op[] = [];
  private at(process: number, type: Op['type'], f: string, value: Json): this {
    this.ops.push({ index: this.ops.length, time: this.ops.length * 100, process, type, f, value });
    return this;
  }
  add(p: number, e: number, end: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.at(p, 'invoke', 'add', e).at(p, end, 'add', e);
  }
  read(p: number, s: number[]): this {
    return this.at(p, 'invoke', 'read', null).at(p, 'ok', 'read', s);
  }
}

const cls = (r: ReturnType<typeof checkSetFull>, e: number) => r.elements.find((x) => x.element === e)?.class;

describe('set-full', () => {
  it('ok elements, with add-to-visible latency', () => {
    const h = new SetHistory().add(0, 1).read(1, [1]).add(0, 2).read(1, [1, 2]);
    const r = checkSetFull(h.ops);
    expect(r.valid).toBe(true);
    expect(r.counts.ok).toBe(2);
    expect(r.elements.find((x) => x.element === 1)!.latencyNs).toBe(200);
    expect(r.latency!.max).toBe(200);
  });

  it('lost: acknowledged, then absent from the last read', () => {
    const h = new SetHistory().add(0, 1).read(1, [1]).read(1, []);
    const r = checkSetFull(h.ops);
    expect(r.valid).toBe(false);
    expect(cls(r, 1)).toBe('lost');
    expect(r.problems[0]!.explanation).toMatch(/last seen in the read at op 2, and the last read \(op 4\) lacks it: lost/);
  });

  it('stale and recovered are invalid for a linearizable set only', () => {
    const h = new SetHistory().add(0, 1).read(1, []).read(1, [1]).add(0, 2).read(1, [1, 2]).read(1, [1]).read(1, [1, 2]);
    const r = checkSetFull(h.ops);
    expect(cls(r, 1)).toBe('stale');
    expect(cls(r, 2)).toBe('recovered');
    expect(r.valid).toBe(false);
    expect(checkSetFull(h.ops, { linearizable: false }).valid).toBe(true);
  });

  it('unexpected (never added, or its add failed) and duplicated', () => {
    const h = new SetHistory().add(0, 1, 'fail').read(1, [1, 7, 7]);
    const r = checkSetFull(h.ops);
    expect(r.valid).toBe(false);
    expect(r.counts.unexpected).toBe(2);
    expect(r.counts.duplicated).toBe(1);
    const text = r.problems.map((p) => p.explanation).join('\n');
    expect(text).toContain('1 is in the read at op 2 but its add (op 0) failed');
    expect(text).toContain('7 is in the read at op 2 but was never added');
    expect(text).toContain('contains 7 more than once');
  });

  it('info adds may or may not have happened; never-read when no read follows', () => {
    const h = new SetHistory().add(0, 1, 'info').read(1, []).add(2, 3).read(1, [3]).add(2, 4);
    const r = checkSetFull(h.ops);
    expect(r.valid).toBe(true);
    expect(r.counts.unconfirmed).toBe(1);
    expect(cls(r, 4)).toBe('never-read');
  });

  it('a generated history of a correct set is valid; dropping an element from the final read is not', () => {
    const h = new SetHistory();
    const set: number[] = [];
    for (let i = 1; i <= 300; i++) {
      h.add(i % 5, i);
      set.push(i);
      if (i % 7 === 0) h.read(9, [...set]);
    }
    h.read(9, [...set]);
    expect(checkSetFull(h.ops).valid).toBe(true);
    const last = h.ops[h.ops.length - 1]!;
    last.value = (last.value as number[]).filter((e) => e !== 150);
    const r = checkSetFull(h.ops);
    expect(r.valid).toBe(false);
    expect(cls(r, 150)).toBe('lost');
    expect(r.counts.lost).toBe(1);
  });
});
