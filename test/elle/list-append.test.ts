// The list-append checker on hand-built histories (one per anomaly class), generated valid ones, and mutations.
import { describe, expect, it } from 'vitest';
import { CONSISTENCY_MODELS } from '../../src/checker/elle/consistency.js';
import { generateListAppend } from '../../src/checker/elle/generate.js';
import { checkListAppend, type ListAppendResult } from '../../src/checker/elle/list-append.js';
import type { Json, Op } from '../../src/history/op.js';
import { parseJepsenEdn } from '../../src/history/import/jepsen-edn.js';
import { int, seeded } from '../../src/generator/random.js';
import { History } from './builder.js';

const types = (r: ListAppendResult): string[] => Object.keys(r.counts).sort();
const find = (r: ListAppendResult, type: string) => {
  const a = r.anomalies.find((x) => x.type === type);
  expect(a, `${type} among ${types(r).join(', ')}`).toBeDefined();
  return a!;
};

describe('list-append: cycles', () => {
  it('G0: appends to two keys interleave in opposite orders', () => {
    const h = new History()
      .invoke(1, [['append', 'x', 1], ['append', 'y', 1]])
      .invoke(2, [['append', 'x', 2], ['append', 'y', 2]])
      .ok(1)
      .ok(2)
      .txn(3, [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]]);
    const r = checkListAppend(h.ops, { consistency: 'read-committed' });
    expect(r.valid).toBe(false);
    const a = find(r, 'G0');
    expect(a.txns.map((t) => t.op).sort()).toEqual([0, 1]);
    expect(a.explanation).toMatch(/appended 1 to x and T\d appended 2 after it/);
    expect(a.explanation).toMatch(/appended 2 to y and T\d appended 1 after it/);
    expect(a.rulesOut).toEqual(['read-committed', 'snapshot-isolation', 'serializable', 'strict-serializable']);
    expect(a.graph.edges.map((e) => e.type)).toEqual(['ww', 'ww']);
    expect(a.graph.nodes).toHaveLength(2);
  });

  it('G1c: two transactions each read the other\'s append', () => {
    const h = new History()
      .invoke(1, [['append', 'x', 1], ['r', 'y', [1]]])
      .invoke(2, [['append', 'y', 1], ['r', 'x', [1]]])
      .ok(1)
      .ok(2);
    const r = checkListAppend(h.ops, { consistency: 'read-committed' });
    expect(r.valid).toBe(false);
    const a = find(r, 'G1c');
    expect(a.graph.edges.map((e) => e.type)).toEqual(['wr', 'wr']);
    expect(a.explanation).toMatch(/T1 appended 1 to \w and T2 read \w = \[1\], so T2 read T1's write: T1 wr→ T2/);
  });

  it('G-single: read skew, allowed by read committed, not by snapshot isolation', () => {
    const h = new History()
      .invoke(1, [['append', 'x', 1], ['append', 'y', 1]])
      .invoke(2, [['r', 'x', []], ['r', 'y', [1]]])
      .ok(1)
      .ok(2)
      .txn(3, [['r', 'x', [1]]]);
    expect(checkListAppend(h.ops, { consistency: 'read-committed' }).valid).toBe(true);
    const r = checkListAppend(h.ops, { consistency: 'snapshot-isolation' });
    expect(r.valid).toBe(false);
    const a = find(r, 'G-single');
    expect(a.explanation).toContain('appended 1 to x and T1 read x = [], so T1 read before T2\'s write: T1 rw→ T2');
    expect(a.explanation).toContain('T2 wr→ T1');
    expect(r.ruledOut).toEqual(['snapshot-isolation', 'serializable', 'strict-serializable']);
  });

  it('G2-item: write skew, allowed by snapshot isolation, not by serializability', () => {
    const h = new History()
      .invoke(1, [['r', 'x', []], ['append', 'y', 1]])
      .invoke(2, [['r', 'y', []], ['append', 'x', 1]])
      .ok(1)
      .ok(2)
      .txn(3, [['r', 'x', [1]], ['r', 'y', [1]]]);
    expect(checkListAppend(h.ops, { consistency: 'snapshot-isolation' }).valid).toBe(true);
    const r = checkListAppend(h.ops, { consistency: 'serializable' });
    expect(r.valid).toBe(false);
    expect(types(r)).toEqual(['G2-item']);
    expect(find(r, 'G2-item').graph.edges.map((e) => e.type)).toEqual(['rw', 'rw']);
  });

  it('G-nonadjacent: two rw edges separated by wr edges', () => {
    const h = new History()
      .invoke(1, [['r', 'a', []], ['r', 'd', [1]]])
      .invoke(2, [['append', 'a', 1], ['append', 'b', 1]])
      .invoke(3, [['r', 'b', [1]], ['r', 'c', []]])
      .invoke(4, [['append', 'c', 1], ['append', 'd', 1]])
      .ok(1)
      .ok(2)
      .ok(3)
      .ok(4)
      .txn(5, [['r', 'a', [1]], ['r', 'c', [1]]]);
    const r = checkListAppend(h.ops, { consistency: 'serializable' });
    expect(r.valid).toBe(false);
    const a = find(r, 'G-nonadjacent');
    expect(a.graph.edges.map((e) => e.type).sort()).toEqual(['rw', 'rw', 'wr', 'wr']);
    expect(r.counts['G-single']).toBeUndefined();
    expect(a.rulesOut[0]).toBe('snapshot-isolation');
  });

  it('G-single-realtime: a read that began after an append completed misses it; fine if only serializable', () => {
    const h = new History().txn(1, [['append', 'x', 1]]).txn(2, [['r', 'x', null]]).txn(3, [['r', 'x', [1]]]);
    h.ops[3]!.value = [['r', 'x', []]];
    expect(checkListAppend(h.ops, { consistency: 'serializable' }).valid).toBe(true);
    const r = checkListAppend(h.ops);
    expect(r.valid).toBe(false);
    const a = find(r, 'G-single-realtime');
    expect(a.explanation).toMatch(/T\d completed \(op 1\) before T\d was invoked \(op 2\)/);
    expect(a.rulesOut).toEqual(['strict-serializable']);
    // The later read T3 did see it: not a lost append.
    expect(r.counts['lost-append']).toBeUndefined();
  });

  it('G-single-process: the same process does not see its own earlier append', () => {
    const h = new History()
      .invoke(2, [['r', 'x', [1]]])
      .txn(1, [['append', 'x', 1]])
      .txn(1, [['r', 'x', []]])
      .ok(2);
    const r = checkListAppend(h.ops);
    const a = find(r, 'G-single-process');
    expect(a.explanation).toContain('ran one after the other on process 1');
  });

  it('a huge cycle-search task ends in the anomalies found so far, marked truncated', () => {
    const h = new History()
      .invoke(1, [['r', 'x', []], ['append', 'y', 1]])
      .invoke(2, [['r', 'y', []], ['append', 'x', 1]])
      .ok(1)
      .ok(2)
      .txn(3, [['r', 'x', [1]], ['r', 'y', [1]]]);
    const r = checkListAppend(h.ops, { consistency: 'serializable', cycleBudget: 1 });
    expect(r.truncated).toBe(true);
    // The component still proves a cycle: serializability is ruled out even without naming it.
    expect(types(r)).toEqual(['cycle-exists-G2']);
    expect(r.valid).toBe(false);
    expect(find(r, 'cycle-exists-G2').explanation).toMatch(/ran out of budget/);
    // Snapshot isolation may allow that cycle: unknown, not valid.
    expect(checkListAppend(h.ops, { consistency: 'snapshot-isolation', cycleBudget: 1 }).valid).toBe('unknown');
  });
});

describe('list-append: non-cyclic anomalies', () => {
  it('G1a: a read sees the append of a failed transaction', () => {
    const h = new History().invoke(1, [['append', 'x', 1]]).fail(1).txn(2, [['r', 'x', [1]]]);
    const r = checkListAppend(h.ops, { consistency: 'read-committed' });
    expect(r.valid).toBe(false);
    expect(find(r, 'G1a').explanation).toMatch(/T1 appended 1 to x and failed, yet T2 read x = \[1\]/);
  });

  it('G1b: a read ends at an element its writer appended more after', () => {
    const h = new History().txn(1, [['append', 'x', 1], ['append', 'x', 2]]).txn(2, [['r', 'x', [1]]]).txn(3, [['r', 'x', [1, 2]]]);
    const r = checkListAppend(h.ops, { consistency: 'read-committed' });
    expect(r.valid).toBe(false);
    expect(find(r, 'G1b').explanation).toContain('half done');
  });

  it('internal: a transaction does not see its own append, or changes its mind', () => {
    const h = new History().txn(1, [['append', 'x', 5], ['r', 'x', []]]).txn(2, [['r', 'y', []], ['r', 'y', [7]]]).txn(3, [['append', 'y', 7]]);
    const r = checkListAppend(h.ops, { consistency: 'snapshot-isolation' });
    expect(r.valid).toBe(false);
    expect(r.counts.internal).toBe(2);
    expect(r.anomalies.filter((a) => a.type === 'internal').map((a) => a.key).sort()).toEqual(['x', 'y']);
    expect(checkListAppend(h.ops, { consistency: 'read-committed' }).valid).toBe(true);
  });

  it('duplicate-elements and incompatible-order', () => {
    const h = new History().txn(1, [['append', 'x', 1]]).txn(2, [['append', 'x', 2]]).txn(3, [['r', 'x', [1, 2, 1]]]).txn(4, [['r', 'x', [2]]]);
    const r = checkListAppend(h.ops, { consistency: 'read-committed' });
    expect(r.valid).toBe(false);
    expect(find(r, 'duplicate-elements').explanation).toContain('in which 1 appears more than once');
    expect(find(r, 'incompatible-order').explanation).toContain('read x = [1 2 1] and T2 read x = [2]');
  });

  it('garbage-read: an element nobody appended', () => {
    const h = new History().txn(1, [['r', 'x', [9]]]);
    expect(find(checkListAppend(h.ops), 'garbage-read').explanation).toContain('no transaction ever appended 9 to x');
  });

  it('lost-append: acknowledged, and no read that began after it sees it', () => {
    const h = new History().txn(1, [['append', 'x', 1]]).txn(2, [['append', 'x', 2]]).txn(3, [['r', 'x', [2]]]);
    const r = checkListAppend(h.ops);
    expect(r.valid).toBe(false);
    const a = find(r, 'lost-append');
    expect(a.explanation).toContain('T1 appended 1 to x and was acknowledged (op 1)');
    expect(a.rulesOut).toEqual(['strict-serializable']);
    // Never read, yet committed: it must come after every read element, so [2] then 1 — fine serially.
    expect(checkListAppend(h.ops, { consistency: 'serializable' }).valid).toBe(true);
  });

  it('an acknowledged append nobody read still orders its writer after every read that misses it', () => {
    // Write skew where y's append is never read: T2 read y = [] (all any read saw), so T2 precedes T1's append.
    const h = new History()
      .invoke(1, [['r', 'x', []], ['append', 'y', 1]])
      .invoke(2, [['r', 'y', []], ['append', 'x', 2]])
      .ok(2)
      .ok(1)
      .txn(3, [['r', 'x', [2]]]);
    const r = checkListAppend(h.ops, { consistency: 'serializable' });
    expect(r.valid).toBe(false);
    expect(find(r, 'G2-item').explanation).toMatch(/acknowledged append of 1 to y was never read, so T\d read before T\d's write/);
  });
});

describe('list-append: the inputs it accepts', () => {
  it('info transactions may have happened: reading their appends is fine', () => {
    const h = new History().invoke(1, [['append', 'x', 1]]).info(1).txn(2, [['r', 'x', [1]]]);
    expect(checkListAppend(h.ops).valid).toBe(true);
  });

  it('a history with no ok transaction is unknown', () => {
    const h = new History().invoke(1, [['append', 'x', 1]]).fail(1);
    const r = checkListAppend(h.ops);
    expect(r.valid).toBe('unknown');
    expect(r.unknownReason).toMatch(/nothing to check/);
  });

  it('rejects non-unique appends and malformed micro-ops with the place', () => {
    const h = new History().txn(1, [['append', 'x', 1]]).txn(2, [['append', 'x', 1]]);
    expect(() => checkListAppend(h.ops)).toThrow(/element 1 is appended by op 0 and op 2/);
    const bad: Op[] = [{ index: 0, time: 0, process: 0, type: 'invoke', f: 'txn', value: [['write', 'x', 1]] }];
    expect(() => checkListAppend(bad, { where: (i) => `h.jsonl:${i + 1}` })).toThrow(/h\.jsonl:1: a micro-op's f must be "append" or "r"/);
  });

  it('imports Jepsen EDN, numeric keys and two-micro-op txns included', () => {
    const edn = `{:process 0, :type :invoke, :f :txn, :value [[:append 1 3] [:r 2 nil]]}
{:process 1, :type :invoke, :f :txn, :value [[:append 2 1] [:r 1 nil]]}
{:process 0, :type :ok, :f :txn, :value [[:append 1 3] [:r 2 [1]]]}
{:process 1, :type :ok, :f :txn, :value [[:append 2 1] [:r 1 [3]]]}`;
    const r = checkListAppend(parseJepsenEdn(edn, 'h.edn').ops);
    expect(r.valid).toBe(false);
    expect(find(r, 'G1c').explanation).toMatch(/appended 3 to 1/);
    const ok = `[{:process 0, :type :invoke, :f :txn, :value [[:append :x 1]]}
{:process 0, :type :ok, :f :txn, :value [[:append :x 1]]}
{:process 0, :type :invoke, :f :txn, :value [[:r :x nil] [:append :y 2] [:r :y nil]]}
{:process 0, :type :ok, :f :txn, :value [[:r :x [1]] [:append :y 2] [:r :y [2]]]}]`;
    expect(checkListAppend(parseJepsenEdn(ok, 'h.edn').ops).valid).toBe(true);
  });
});

describe('list-append: generated histories', () => {
  it('histories of a serial in-memory store are valid under every model', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const ops = generateListAppend({ txns: 3000, seed, concurrency: 8, activeKeys: 5, appendsPerKey: 20, failRate: 0.05, infoRate: 0.03 });
      for (const consistency of CONSISTENCY_MODELS) {
        const r = checkListAppend(ops, { consistency });
        expect(r.counts, `seed ${seed}, ${consistency}`).toEqual({});
        expect(r.valid).toBe(true);
        expect(r.edges).toBeGreaterThan(3000);
      }
    }
  });

  it('a stale read (one element dropped from a read that began after its writer completed) is found', () => {
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const ops = generateListAppend({ txns: 1500, seed, concurrency: 6, activeKeys: 4 });
      const victim = staleRead(ops, seed);
      const r = checkListAppend(ops);
      expect(r.valid, `seed ${seed}: ${victim}`).toBe(false);
      expect(types(r).some((t) => t.endsWith('-realtime') || t.endsWith('-process') || t === 'lost-append')).toBe(true);
      expect(checkListAppend(ops, { consistency: 'serializable' }).ruledOut).not.toContain('read-committed');
    }
  });

  it('a duplicated element, or an ok append turned into a failure that someone read, is found', () => {
    for (const seed of [21, 22, 23]) {
      const ops = generateListAppend({ txns: 1000, seed });
      const read = findRead(ops, (l) => l.length >= 2);
      read.list.push(read.list[0]!);
      expect(checkListAppend(ops, { consistency: 'read-committed' }).counts['duplicate-elements']).toBeGreaterThan(0);
    }
    const ops = generateListAppend({ txns: 1000, seed: 24 });
    const read = findRead(ops, (l) => l.length >= 1);
    const writer = appenderOf(ops, read.key, read.list[0]!);
    writer.type = 'fail';
    const r = checkListAppend(ops, { consistency: 'read-committed' });
    expect(r.counts.G1a).toBeGreaterThan(0);
    expect(r.valid).toBe(false);
  });
});

interface FoundRead {
  op: Op;
  key: string;
  list: Json[];
}

function reads(ops: Op[]): FoundRead[] {
  const out: FoundRead[] = [];
  for (const op of ops) {
    if (op.type !== 'ok') continue;
    const appended = new Set<string>();
    for (const m of op.value as Json[][]) {
      if (m[0] === 'append') appended.add(m[1] as string);
      else if (!appended.has(m[1] as string)) out.push({ op, key: m[1] as string, list: m[2] as Json[] });
    }
  }
  return out;
}

function findRead(ops: Op[], pred: (l: Json[]) => boolean): FoundRead {
  const r = reads(ops).find((x) => pred(x.list));
  if (!r) throw new Error('no such read in the generated history');
  return r;
}

function appenderOf(ops: Op[], key: string, e: Json): Op {
  return ops.find((o) => o.type === 'ok' && (o.value as Json[][]).some((m) => m[0] === 'append' && m[1] === key && m[2] === e))!;
}

/** Drops the last element of an external read whose writer completed before the read was invoked. */
function staleRead(ops: Op[], seed: number): string {
  const invokeOf = (completion: Op): number => {
    for (let i = completion.index - 1; i >= 0; i--) if (ops[i]!.process === completion.process && ops[i]!.type === 'invoke') return i;
    throw new Error('no invocation');
  };
  const candidates = reads(ops).filter((r) => {
    if (r.list.length === 0) return false;
    const w = appenderOf(ops, r.key, r.list[r.list.length - 1]!);
    return w !== r.op && w.index < invokeOf(r.op);
  });
  const c = candidates[int(seeded(seed), 0, candidates.length - 1)]!;
  const dropped = c.list.pop();
  return `op ${c.op.index} read ${c.key} without ${String(dropped)}`;
}
