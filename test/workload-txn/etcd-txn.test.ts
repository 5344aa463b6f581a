// The list-append txn client against real stores: one etcd, and a 3-node antietcd cluster; concurrent txns stay serializable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/client/client.js';
import { EtcdClient } from '../../src/client/etcd.js';
import { checkListAppend } from '../../src/checker/elle/list-append.js';
import type { Json, Op } from '../../src/history/op.js';
import { HistoryRecorder } from '../../src/run/recorder.js';
import { antietcdSystem, type AntietcdCluster } from '../../src/system/antietcd.js';
import { FAST, startSystemCluster, type Fixture } from '../system/fixture.js';
import { startSingleEtcd, type SingleEtcd } from '../client/single-etcd.js';

const OPTIONS = { timeoutMs: 3000, localReads: false, connectionsPerNode: 8 };
let seq = 0;
const txn = (c: Client, node: string, value: Json) => c.invoke({ index: seq++, time: 0, process: 0, type: 'invoke', f: 'txn', value, node });

/** `workers` clients racing txns over two keys; the recorded history goes through the Elle checker. */
async function race(c: Client, nodes: string[], prefix: string, workers: number, perWorker: number): Promise<{ ops: Op[]; ok: number; fail: number }> {
  const ops: Op[] = [];
  const rec = new HistoryRecorder({ append: (o: Op) => ops.push(o) }, process.hrtime.bigint());
  const counter = new Map<string, number>();
  const keys = [`${prefix}a`, `${prefix}b`];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      let process = w;
      for (let i = 0; i < perWorker; i++) {
        const value: Json[] = [];
        for (let m = 0; m < 3; m++) {
          const k = keys[(w + i + m) % 2]!;
          if ((w + i * 3 + m) % 3 === 0) value.push(['r', k, null]);
          else {
            const n = (counter.get(k) ?? 0) + 1;
            counter.set(k, n);
            value.push(['append', k, n]);
          }
        }
        const inv = rec.invoke({ process, f: 'txn', value, node: nodes[w % nodes.length]! });
        const done = await c.invoke(inv);
        rec.complete(inv, done);
        if (done.type === 'info') process += workers;
      }
    }),
  );
  // A final read of both keys, so every acknowledged append must show up.
  const inv = rec.invoke({ process: 1000, f: 'txn', value: keys.map((k) => ['r', k, null]), node: nodes[0]! });
  rec.complete(inv, await c.invoke(inv));
  return { ops, ok: ops.filter((o) => o.type === 'ok').length, fail: ops.filter((o) => o.type === 'fail').length };
}

describe('list-append txns on one etcd', () => {
  let etcd: SingleEtcd | undefined;
  let client: EtcdClient | undefined;
  beforeAll(async () => {
    etcd = await startSingleEtcd();
    client = new EtcdClient(OPTIONS);
    await client.open('n1', etcd.url);
  });
  afterAll(async () => {
    await client?.close();
    await etcd?.stop();
  });

  it('appends, reads whole lists, and reads its own earlier appends inside one txn', async () => {
    expect(await txn(client!, 'n1', [['r', 'x1', null]])).toEqual({ type: 'ok', value: [['r', 'x1', null]] });
    expect(await txn(client!, 'n1', [['append', 'x1', 1], ['append', 'x2', 1]])).toEqual({ type: 'ok', value: [['append', 'x1', 1], ['append', 'x2', 1]] });
    expect(await txn(client!, 'n1', [['r', 'x1', null], ['append', 'x1', 2], ['r', 'x1', null], ['r', 'x2', null]])).toEqual({
      type: 'ok',
      value: [['r', 'x1', [1]], ['append', 'x1', 2], ['r', 'x1', [1, 2]], ['r', 'x2', [1]]],
    });
    // Two appends to one key in one txn are one put of the whole list (etcd refuses duplicate keys in a txn).
    expect((await txn(client!, 'n1', [['append', 'x2', 2], ['append', 'x2', 3], ['r', 'x2', null]])).value).toEqual([['append', 'x2', 2], ['append', 'x2', 3], ['r', 'x2', [1, 2, 3]]]);
  });

  it('a key another workload wrote is an error, not a made-up list', async () => {
    await client!.invoke({ index: seq++, time: 0, process: 0, type: 'invoke', f: 'put', key: 'x9', value: 'p1;', node: 'n1' });
    await expect(txn(client!, 'n1', [['r', 'x9', null]])).rejects.toThrow(/not a JSON list/);
  });

  it('racing txns on two keys: contention retried, never a lost update; the history is strict-serializable', async () => {
    const { ops, ok } = await race(client!, ['n1'], 'etcd-race-', 8, 25);
    const r = checkListAppend(ops);
    expect(r.anomalies.map((a) => a.explanation)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(ok).toBeGreaterThan(150);
  });
});

describe('list-append txns on a 3-node antietcd cluster', () => {
  let f: Fixture<AntietcdCluster> | undefined;
  let client: Client | undefined;
  const nodes = ['n1', 'n2', 'n3'];
  beforeAll(async () => {
    f = await startSystemCluster<AntietcdCluster>(antietcdSystem, 3, { ...FAST, preVote: false });
    client = antietcdSystem.createClient(OPTIONS);
    for (const n of nodes) await client.open(n, f.cluster.clientUrl(n));
  });
  afterAll(async () => {
    await client?.close();
    await f?.close();
  });

  it('a txn through a follower sees the leader\'s state (the compare sends it to the leader)', async () => {
    // TinyRaft may still be re-electing right after start: a refused txn (fail: nothing was applied) is retried;
    // an indeterminate one is not, as a retry could append twice.
    let first = await txn(client!, 'n1', [['append', 'y1', 1], ['append', 'y2', 1]]);
    for (const deadline = Date.now() + 15_000; first.type === 'fail' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
      first = await txn(client!, 'n1', [['append', 'y1', 1], ['append', 'y2', 1]]);
    }
    expect(first.type, JSON.stringify(first)).toBe('ok');
    for (const n of nodes) {
      // A read-only txn has no effect: one refused during a re-election is simply asked again.
      let r = await txn(client!, n, [['r', 'y1', null], ['r', 'y2', null]]);
      for (const deadline = Date.now() + 15_000; r.type !== 'ok' && Date.now() < deadline; ) {
        await new Promise((res) => setTimeout(res, 100));
        r = await txn(client!, n, [['r', 'y1', null], ['r', 'y2', null]]);
      }
      expect(r.value, `${n}: ${JSON.stringify(r)}`).toEqual([['r', 'y1', [1]], ['r', 'y2', [1]]]);
    }
  });

  it('racing txns through every node: strict-serializable without faults', async () => {
    const { ops, ok } = await race(client!, nodes, 'anti-race-', 6, 20);
    const r = checkListAppend(ops);
    expect(r.anomalies.map((a) => a.explanation)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(ok).toBeGreaterThan(80);
  });
});
