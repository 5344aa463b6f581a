// The checker library: models, evidence, nondeterministic models, worker pool, timeout and memory caps.
import { describe, expect, it } from 'vitest';
import { check, checkOperations, checkSync, toOperations } from '../../src/checker/index.js';
import { WorkerPool } from '../../src/checker/pool.js';
import { poolPays } from '../../src/checker/session.js';
import { bitsetWords } from '../../src/checker/bitset.js';
import { ConfigCache } from '../../src/checker/cache.js';
import { buildEntries } from '../../src/checker/entries.js';
import { packOps, unpackOps } from '../../src/checker/transfer.js';
import { loadHistory } from '../../src/history/import/load.js';
import type { Json, Op } from '../../src/history/op.js';
import { casRegister } from '../../src/model/cas-register.js';
import { kv } from '../../src/model/kv.js';
import { compareKeys, ModelInputError, type Model } from '../../src/model/model.js';
import { createModel } from '../../src/model/registry.js';
import { register } from '../../src/model/register.js';
import { CORPUS } from './corpus.js';

/** Builds a history from [process, type, f, value, extra] tuples. */
function h(...rows: [number, Op['type'], string, Json?, Partial<Op>?][]): Op[] {
  return rows.map(([process, type, f, value, extra], index) => ({ index, time: index, process, type, f, ...(value === undefined ? {} : { value }), ...extra }));
}

describe('models', () => {
  it('register: a read sees the last write; an unknown-outcome write may or may not have happened', () => {
    const ok = h([0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'write', 2], [1, 'info', 'write', 2], [2, 'invoke', 'read', null], [2, 'ok', 'read', 1], [2, 'invoke', 'read', null], [2, 'ok', 'read', 2]);
    expect(checkSync(ok, register()).valid).toBe(true);
    const stale = h([0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [0, 'invoke', 'write', 2], [0, 'ok', 'write', 2], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1]);
    expect(checkSync(stale, register()).valid).toBe(false);
    expect(() => checkSync(h([0, 'invoke', 'cas', [1, 2]]), register())).toThrow(/no cas/);
  });

  it('cas-register: a failed cas is an observation; --initial sets the start value', () => {
    const failed = h([0, 'invoke', 'cas', [0, 1]], [0, 'ok', 'cas', [0, 1], { succeeded: false }]);
    expect(checkSync(failed, casRegister()).valid).toBe(true);
    expect(checkSync(failed, casRegister({ initial: 0 })).valid).toBe(false);
    const fail = h([0, 'invoke', 'cas', [0, 1]], [0, 'fail', 'cas', [0, 1]], [1, 'invoke', 'read', null], [1, 'ok', 'read', 0]);
    expect(checkSync(fail, casRegister({ initial: 0 })).valid).toBe(true);
  });

  it('kv: appends concatenate, gets of absent keys read ""; partitioned by key', () => {
    const hist = h([0, 'invoke', 'append', 'a', { key: 'x' }], [0, 'ok', 'append', 'a', { key: 'x' }], [1, 'invoke', 'get', null, { key: 'y' }], [1, 'ok', 'get', null, { key: 'y' }], [1, 'invoke', 'get', null, { key: 'x' }], [1, 'ok', 'get', 'a', { key: 'x' }]);
    const r = checkSync(hist, kv());
    expect(r.valid).toBe(true);
    expect(r.partitions.map((p) => p.key)).toEqual(['x', 'y']);
    expect(checkSync(hist, createModel({ name: 'kv', partition: false })).partitions).toHaveLength(1);
  });

  it('nondeterministic models are searched over sets of states', () => {
    // A "lossy" register: a write may be dropped. Reads must see some surviving value.
    const base = register();
    const lossy: Model<string, unknown, unknown> = {
      ...(base as unknown as Model<string, unknown, unknown>),
      name: 'lossy',
      spec: undefined,
      nondeterministic: true,
      pin: undefined,
      deadState: undefined,
      blind: undefined,
      step: (s, input, output) => {
        const next = base.step(s, input as never, output as never);
        return (input as { f: string }).f === 'write' ? [...next, s] : next;
      },
    };
    const hist = h([0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [0, 'invoke', 'write', 2], [0, 'ok', 'write', 2], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 3]);
    expect(checkSync(hist.slice(0, 6), lossy).valid).toBe(true);
    expect(checkSync(hist, lossy).valid).toBe(false);
  });

  it('partition keys sort as the numeric collator sorts them, plain numbers included', () => {
    const collator = new Intl.Collator('en', { numeric: true });
    const keys = ['0', '1', '2', '9', '10', '11', '100', '007', '07', '7', '-1', '1.5', '1e3', 'a', 'a10', 'a9', 'B', '', ' 1', '999999999999999', '1000000000000000', '12345678901234567890'];
    for (const a of keys) for (const b of keys) expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(Math.sign(a === b ? 0 : collator.compare(a, b)));
    expect(compareKeys(undefined, '0')).toBe(-1);
  });

  it('ModelInputError names the history position', () => {
    expect(() => checkSync(h([0, 'invoke', 'put', { a: 1 }]), kv())).toThrow(/history op 0: kv put value must be a string/);
    expect(new ModelInputError('x')).toBeInstanceOf(Error);
  });
});

describe('evidence', () => {
  it('an illegal history: the longest linearizable prefix and the ops that could not come next', () => {
    const hist = h([0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [2, 'invoke', 'write', 3], [1, 'ok', 'read', 2], [2, 'ok', 'write', 3]);
    const r = checkSync(hist, casRegister());
    expect(r.valid).toBe(false);
    const p = r.partitions[0];
    // Porcupine's picture: the deepest prefix any order reaches, then the read that fits nowhere.
    expect(p.linearized).toEqual([
      { op: 0, description: 'write(1)', state: '1' },
      { op: 3, description: 'write(3)', state: '3' },
    ]);
    expect(p.stuck).toEqual({ state: '3', frontier: 2, candidates: [{ op: 2, description: 'read() → 2', legal: false }] });
  });

  it('a read of a value nothing wrote: pruning decides at once, the evidence still shows the prefix and the read', () => {
    const hist = h([0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 7]);
    const p = checkSync(hist, casRegister({ initial: 0 })).partitions[0];
    expect(p.valid).toBe(false);
    expect(p.linearized).toEqual([{ op: 0, description: 'write(1)', state: '1' }]);
    expect(p.stuck).toEqual({ state: '1', frontier: 2, candidates: [{ op: 2, description: 'read() → 7', legal: false }] });
  });

  it("evidence 'full' gives a valid partition's whole linearization; 'none' gives nothing", () => {
    const hist = h([0, 'invoke', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1], [0, 'ok', 'write', 1]);
    expect(checkSync(hist, casRegister(), { evidence: 'full' }).partitions[0].linearized?.map((s) => s.op)).toEqual([0, 1]);
    expect(checkSync(hist, casRegister()).partitions[0].linearized).toBeUndefined();
    const bad = h([1, 'invoke', 'read', null], [1, 'ok', 'read', 1]);
    expect(checkSync(bad, casRegister(), { evidence: 'none' }).partitions[0].stuck).toBeUndefined();
  });
});

describe('parallel search and limits', () => {
  it('the worker pool gives the same verdicts as this thread', async () => {
    const { ops } = await loadHistory(CORPUS + 'kv/c50-ok.txt');
    const here = checkSync(ops, kv());
    const there = await check(ops, kv(), { workers: 2, localBudgetMs: 0 });
    expect(there.valid).toBe(true);
    expect(there.partitions.map((p) => [p.key, p.valid, p.ops])).toEqual(here.partitions.map((p) => [p.key, p.valid, p.ops]));
  });

  it('checkOperations takes operations already paired, and gives what check gives for their history', async () => {
    for (const file of ['jepsen/etcd_000.log', 'jepsen/etcd_075.log', 'kv/c10-bad.txt']) {
      const { ops } = await loadHistory(CORPUS + file);
      const model = file.startsWith('kv') ? kv() : casRegister();
      // Every partition searched: which illegal one cancels the rest first is up to the threads.
      const whole = await check(ops, model, { allPartitions: true });
      for (const workers of [0, 1]) {
        const paired = await checkOperations(toOperations(ops, model), model, { workers, allPartitions: true });
        expect([paired.valid, paired.ops, paired.partitions.map((p) => [p.key, p.valid, p.ops])]).toEqual([whole.valid, whole.ops, whole.partitions.map((p) => [p.key, p.valid, p.ops])]);
      }
    }
    // Bad input is the pairing's to report: check rejects with the position, as before.
    await expect(check(h([1, 'ok', 'read', 1]), casRegister())).rejects.toThrow(/history op 0: ok read for process 1, which has no open invocation/);
  });

  it('workers join a batch only while the work left, at the pace so far, outlasts their start', () => {
    const at = (histories: number, finished: number, elapsedMs: number | undefined, more: { searchMs?: number; searched?: number; waiting?: number } = {}): boolean =>
      poolPays({ histories, finished, elapsedMs, searchMs: more.searchMs, searched: more.searched ?? finished, waiting: more.waiting ?? 4 });
    // One history: its partitions are all the work there is.
    expect(at(1, 0, 500)).toBe(true);
    // Nothing finished yet: no pace to go by.
    expect(at(103, 0, undefined)).toBe(true);
    // Porcupine's jepsen corpus 100 ms in: 60 of 103 done, 43 left at 1.7 ms each is 72 ms, less than a worker's worth.
    expect(at(103, 60, 100)).toBe(false);
    // A long batch: 900 files left at 1.7 ms each.
    expect(at(1000, 60, 100)).toBe(true);
    // The last file of a batch brings 200 partitions: at 1.7 ms per partition so far, 340 ms of them wait.
    expect(at(103, 102, 170, { searched: 102, waiting: 200 })).toBe(true);
    // One long search holds this thread while others wait: whatever the pace.
    expect(at(103, 60, 100, { searchMs: 99 })).toBe(false);
    expect(at(103, 60, 100, { searchMs: 100 })).toBe(true);
  });

  it('operations survive packing for a worker (Infinity, unknown outputs, named processes)', () => {
    const ops = [
      { id: 3, process: 7, call: 3, ret: Infinity, input: { f: 'cas', from: '1', to: '2' }, output: undefined, key: 'k' },
      { id: 4, process: 'x', call: 4, ret: 9, input: { f: 'read' }, output: null },
    ];
    expect(unpackOps(packOps(ops))).toEqual(ops);
  });

  it('a pool task runs on a worker thread (loaded from TypeScript under vitest)', async () => {
    const pool = new WorkerPool(1, 512);
    try {
      const ops = packOps([{ id: 0, process: 0, call: 0, ret: 1, input: { f: 'get' }, output: 'nope' }]);
      const r = await pool.run(() => ({ model: { name: 'kv' }, key: 'k', ops, limits: { deadline: Infinity, maxBytes: 1e9, evidence: 'failures' }, cancel: new SharedArrayBuffer(4) }));
      expect(r).toMatchObject({ key: 'k', valid: false, ops: 1 });
    } finally {
      await pool.close();
    }
  });

  it('the first illegal partition cancels the rest; allPartitions searches them all', async () => {
    const { ops } = await loadHistory(CORPUS + 'kv/c10-bad.txt');
    const first = await check(ops, kv(), { workers: 2, localBudgetMs: 0 });
    expect(first.valid).toBe(false);
    const all = await check(ops, kv(), { workers: 2, localBudgetMs: 0, allPartitions: true });
    expect(all.partitions.every((p) => p.valid !== 'unknown')).toBe(true);
  });

  it('a timeout ends in unknown, with the evidence found so far', async () => {
    const { ops } = await loadHistory(CORPUS + 'kv/c50-ok.txt');
    const r = checkSync(ops, createModel({ name: 'kv', partition: false }), { timeoutMs: 200 });
    expect(r.valid).toBe('unknown');
    expect(r.partitions[0]).toMatchObject({ reason: 'timeout' });
    expect(r.partitions[0].linearized!.length).toBeGreaterThan(0);
    expect(r.partitions[0].stuck!.candidates.length).toBeGreaterThan(0);
  });

  it('a memory cap ends in unknown, in this thread and on workers', async () => {
    const { ops } = await loadHistory(CORPUS + 'kv/c50-ok.txt');
    const r = checkSync(ops, createModel({ name: 'kv', partition: false }), { maxMemoryMb: 1 });
    expect(r.partitions[0]).toMatchObject({ valid: 'unknown', reason: 'memory' });
    const w = await check(ops, kv(), { workers: 2, localBudgetMs: 0, maxMemoryMb: 2 });
    expect(w.valid).toBe('unknown');
    expect(w.partitions.some((p) => p.reason === 'memory')).toBe(true);
  });
});

describe('the entry list', () => {
  /** Entry ids in list order, from the head. */
  const walk = (call: number[], ret: number[]): number[] => {
    const { head, next } = buildEntries(call, ret);
    const out: number[] = [];
    for (let e = next[head]; e !== head; e = next[e]) out.push(e);
    return out;
  };

  it('orders calls and returns by position, each way: placed by position, packed sort, comparator sort', () => {
    // op 0 [0, 5], op 1 [1, 3], op 2 [2, ∞), op 3 [4, 6]
    const call = [0, 1, 2, 4];
    const ret = [5, 3, Infinity, 6];
    const expected = [0, 2, 4, 3, 6, 1, 7];
    // Dense whole positions, also offset: placed by position.
    expect(walk(call, ret)).toEqual(expected);
    expect(walk(call.map((c) => c + 1000), ret.map((r) => r + 1000))).toEqual(expected);
    // Sparse whole positions: the packed sort.
    expect(walk(call.map((c) => c * 1000), ret.map((r) => r * 1000))).toEqual(expected);
    // Fractional or huge positions: the comparator sort.
    expect(walk(call.map((c) => c + 0.5), ret.map((r) => r + 0.5))).toEqual(expected);
    expect(walk(call.map((c) => c * 1000 + 2 ** 32), ret.map((r) => r * 1000 + 2 ** 32))).toEqual(expected);
    // A tie (which placing by position would lose): ids in order, as the sorts give them.
    expect(walk([0, 0], [1, 2])).toEqual([0, 2, 1, 3]);
    expect(walk([], [])).toEqual([]);
  });
});

describe('the configuration cache', () => {
  // Its first chunk is sized to the partition, but only as far as a few hundred KB of bitsets: sized by op
  // count alone, one configuration of a 100,000-op partition held 820 MB against the memory cap.
  it('a long partition starts small: one configuration of 100,000 ops holds under 1 MB, and it grows as it fills', () => {
    const words = bitsetWords(100_000);
    const cache = new ConfigCache(words, 100_000);
    const bits = new Uint32Array(words);
    cache.add(1, 0, bits);
    expect(cache.bytes()).toBeLessThan(1e6);
    for (let i = 1; i <= 200; i++) {
      bits[i % words] ^= 1 << i % 32;
      expect(cache.add(i + 1, 0, bits)).toBe(true);
    }
    expect(cache.size).toBe(201);
    expect(cache.has(1, 0, new Uint32Array(words))).toBe(true);
  });
});
