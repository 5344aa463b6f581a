// The watch checker: streams from a correct in-memory store pass; each broken guarantee is found and named.
import { describe, expect, it } from 'vitest';
import { checkWatch, type WatchEvent } from '../../src/checker/elle/watch.js';
import type { Json, Op } from '../../src/history/op.js';
import { int, seeded } from '../../src/generator/random.js';

interface Built {
  ops: Op[];
  /** The watch completions' responses, to mutate. */
  streams: WatchEvent[][][];
}

/**
 * A serial store with revisions: writers put/delete/put-many, every write acknowledged with its revision;
 * watcher w1 watches prefix "k" from revision 1 with prevKV, breaks after a few responses and resumes
 * from the last revision seen + 1, as a client does.
 */
function build(seed: number, writes = 60): Built {
  const rng = seeded(seed);
  const ops: Op[] = [];
  const push = (op: Omit<Op, 'index' | 'time'>): void => void ops.push({ index: ops.length, time: ops.length, ...op });
  const state = new Map<string, Json>();
  const log: WatchEvent[][] = []; // per revision, rev = index + 2 (revision 1 is the empty store)
  for (let i = 0; i < writes; i++) {
    const rev = log.length + 2;
    const key = `k${int(rng, 0, 3)}`;
    const x = rng();
    const apply = (k: string, type: 'put' | 'delete', value: Json): WatchEvent => {
      const had = state.has(k);
      const e: WatchEvent = { rev, key: k, type, prevValue: had ? state.get(k)! : null };
      if (type === 'put') {
        e.value = value;
        e.isCreate = !had;
        state.set(k, value);
      } else state.delete(k);
      return e;
    };
    if (x < 0.15 && state.has(key)) {
      push({ process: 0, type: 'invoke', f: 'delete', key });
      log.push([apply(key, 'delete', null)]);
    } else if (x < 0.3) {
      const other = key === 'k0' ? 'k1' : 'k0';
      push({ process: 0, type: 'invoke', f: 'put-many', value: [[key, i], [other, i]] });
      log.push([apply(key, 'put', i), apply(other, 'put', i)]);
    } else {
      push({ process: 0, type: 'invoke', f: 'put', key, value: i });
      log.push([apply(key, 'put', i)]);
    }
    const inv = ops[ops.length - 1]!;
    push({ process: 0, type: 'ok', f: inv.f, ...(inv.key !== undefined ? { key: inv.key } : {}), value: { rev } });
  }
  // The watcher: streams of 1-3 responses of 1-3 revisions each, resuming after each break.
  const streams: WatchEvent[][][] = [];
  let next = 0;
  let process = 10;
  while (next < log.length) {
    const startRev = next + 2;
    const responses: WatchEvent[][] = [];
    for (let r = int(rng, 1, 3); r > 0 && next < log.length; r--) {
      const resp: WatchEvent[] = [];
      for (let n = int(rng, 1, 3); n > 0 && next < log.length; n--) resp.push(...log[next++]!.map((e) => ({ ...e })));
      responses.push(resp);
    }
    streams.push(responses);
    push({ process, type: 'invoke', f: 'watch', value: { watcher: 'w1', key: 'k', prefix: true, startRev, prevKV: true } });
    push({ process, type: next < log.length ? 'info' : 'ok', f: 'watch', value: { responses: responses as unknown as Json } });
    process++;
  }
  return { ops, streams };
}

describe('watch', () => {
  it('streams of a correct store keep every guarantee', () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = checkWatch(build(seed).ops);
      expect(r.counts, `seed ${seed}: ${r.violations.map((v) => v.explanation).join('; ')}`).toEqual({});
      expect(r.valid).toBe(true);
      expect(r.streams).toBeGreaterThan(3);
    }
  });

  const broken: [string, (b: Built) => void][] = [
    ['reliable', (b) => {
      // Drop every event of one revision from the middle of a stream.
      const st = b.streams.find((x) => new Set(x.flat().map((e) => e.rev)).size >= 3)!;
      const rev = [...new Set(st.flat().map((e) => e.rev))][1]!;
      for (const resp of st) for (let i = resp.length - 1; i >= 0; i--) if (resp[i]!.rev === rev) resp.splice(i, 1);
    }],
    ['unique', (b) => b.streams[2]![0]!.push({ ...b.streams[2]![0]![0]! })],
    ['ordered', (b) => b.streams[2]!.push([{ ...b.streams[0]![0]![0]!, rev: 1, key: 'k9', type: 'delete' }])],
    ['resumable', (b) => b.streams[2]![0]!.shift()],
    ['prevkv', (b) => void (b.streams[1]![0]![0]!.prevValue = 'nonsense')],
    ['iscreate', (b) => void (b.streams[1]![0]!.find((e) => e.type === 'put')!.isCreate = !b.streams[1]![0]!.find((e) => e.type === 'put')!.isCreate)],
  ];
  for (const [guarantee, mutate] of broken) {
    it(`finds a broken ${guarantee} guarantee`, () => {
      const b = build(guarantee.length, 80);
      mutate(b);
      const r = checkWatch(b.ops);
      expect(r.valid).toBe(false);
      expect(Object.keys(r.counts), r.violations.map((v) => v.explanation).join('\n')).toContain(guarantee);
      expect(r.violations.find((v) => v.guarantee === guarantee)!.explanation).toMatch(new RegExp(`^${guarantee}: watcher w1`));
    });
  }

  it('atomic: one revision split over two responses, or part of a multi-key revision missing', () => {
    const b = build(7, 80);
    const s = b.streams.findIndex((st) => st.some((resp) => resp.some((e, i) => i > 0 && e.rev === resp[i - 1]!.rev)));
    const resp = b.streams[s]!.find((rr) => rr.some((e, i) => i > 0 && e.rev === rr[i - 1]!.rev))!;
    const at = resp.findIndex((e, i) => i > 0 && e.rev === resp[i - 1]!.rev);
    const tail = resp.splice(at);
    b.streams[s]!.splice(b.streams[s]!.indexOf(resp) + 1, 0, tail);
    const r = checkWatch(b.ops);
    expect(r.counts.atomic).toBeGreaterThan(0);
    expect(r.violations.map((v) => v.explanation).join('\n')).toMatch(/is split over two responses/);
  });

  it('an event no write produced is unexpected; an info put may explain one', () => {
    const ops: Op[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'put', key: 'a', value: 1 },
      { index: 1, time: 1, process: 0, type: 'info', f: 'put', key: 'a' },
      { index: 2, time: 2, process: 5, type: 'invoke', f: 'watch', value: { watcher: 'w', key: 'a', startRev: 2 } },
      { index: 3, time: 3, process: 5, type: 'ok', f: 'watch', value: { responses: [[{ rev: 2, key: 'a', type: 'put', value: 1 }]] } },
    ];
    expect(checkWatch(ops).valid).toBe(true);
    (ops[3]!.value as { responses: { value: number }[][] }).responses[0]![0]!.value = 2;
    const r = checkWatch(ops);
    expect(r.counts.unexpected).toBe(1);
    expect(r.violations[0]!.explanation).toContain('matches no write of the history');
  });
});
