// The etcd client against a real etcd: values round-trip, cas observations, and outcomes of real failures.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { EtcdClient } from '../../src/client/etcd.js';
import type { Client } from '../../src/client/client.js';
import type { Completion, Json } from '../../src/history/op.js';
import { freePort, startSingleEtcd, type SingleEtcd } from './single-etcd.js';

/** One invocation through the Client seam, as the load issues it. */
const perform = (c: Client, f: string, node: string, key: string, value: Json): Promise<Completion> =>
  c.invoke({ index: 0, time: 0, process: 0, type: 'invoke', f, node, key, value });

describe('EtcdClient', () => {
  let etcd: SingleEtcd;
  let client: EtcdClient;
  beforeAll(async () => {
    etcd = await startSingleEtcd();
    client = new EtcdClient({ timeoutMs: 1000, localReads: false, connectionsPerNode: 4 });
    await client.open('n1', etcd.url);
  });
  afterAll(async () => {
    await client?.close();
    await etcd?.stop();
  });

  it('reads null for an absent key, then the integer written', async () => {
    expect(await perform(client, 'read', 'n1', 'r1', null)).toEqual({ type: 'ok', value: null });
    expect(await perform(client, 'write', 'n1', 'r1', 3)).toEqual({ type: 'ok', value: 3 });
    expect(await perform(client, 'read', 'n1', 'r1', null)).toEqual({ type: 'ok', value: 3 });
  });

  it('a cas whose compare fails is ok with succeeded:false; a matching one applies', async () => {
    await perform(client, 'write', 'n1', 'r2', 1);
    expect(await perform(client, 'cas', 'n1', 'r2', [4, 2])).toEqual({ type: 'ok', value: [4, 2], succeeded: false });
    expect(await perform(client, 'cas', 'n1', 'r2', [1, 2])).toEqual({ type: 'ok', value: [1, 2] });
    expect(await perform(client, 'read', 'n1', 'r2', null)).toEqual({ type: 'ok', value: 2 });
    expect(await perform(client, 'cas', 'n1', 'absent', [0, 1])).toMatchObject({ type: 'ok', succeeded: false });
  });

  it('kv: put, append, get as strings', async () => {
    expect(await perform(client, 'get', 'n1', 'kv1', null)).toEqual({ type: 'ok', value: null });
    await perform(client, 'append', 'n1', 'kv1', 'x1 ');
    await perform(client, 'append', 'n1', 'kv1', 'x2 ');
    expect(await perform(client, 'get', 'n1', 'kv1', null)).toEqual({ type: 'ok', value: 'x1 x2 ' });
    await perform(client, 'put', 'n1', 'kv1', '7');
    expect(await perform(client, 'get', 'n1', 'kv1', null)).toEqual({ type: 'ok', value: '7' });
  });

  it('concurrent appends are all applied exactly once', async () => {
    const parts = Array.from({ length: 12 }, (_, i) => `a${i},`);
    const done = await Promise.all(parts.map((p) => perform(client, 'append', 'n1', 'kv2', p)));
    expect(done.every((d) => d.type === 'ok')).toBe(true);
    const got = (await perform(client, 'get', 'n1', 'kv2', null)).value as string;
    expect(got.split(',').filter(Boolean).sort()).toEqual(parts.map((p) => p.slice(0, -1)).sort());
  });

  it('a rejected request (empty key) is a definite fail', async () => {
    expect(await perform(client, 'write', 'n1', '', 1)).toMatchObject({ type: 'fail', error: 'grpc-3:key is not provided' });
  });

  it('serializable reads see local state', async () => {
    const local = new EtcdClient({ timeoutMs: 1000, localReads: true, connectionsPerNode: 1 });
    try {
      await local.open('n1', etcd.url);
      await perform(client, 'write', 'n1', 's1', 9);
      expect(await perform(local, 'read', 'n1', 's1', null)).toEqual({ type: 'ok', value: 9 });
    } finally {
      await local.close();
    }
  });

  it('a refused connection fails the write definitely', async () => {
    const nowhere = new EtcdClient({ timeoutMs: 500, localReads: false, connectionsPerNode: 1 });
    try {
      await nowhere.open('n9', `http://127.0.0.1:${await freePort()}`);
      expect(await perform(nowhere, 'write', 'n9', 'k', 1)).toEqual({ type: 'fail', value: 1, error: 'connection-refused' });
    } finally {
      await nowhere.close();
    }
  });

  it('a paused node: writes time out as info, reads as fail; a write lost to a killed node is info', async () => {
    // Warm connections first so the requests below are written on established sockets.
    await Promise.all([1, 2, 3, 4].map((i) => perform(client, 'write', 'n1', `p${i}`, i)));
    etcd.proc.kill('SIGSTOP');
    // kill() returns before every thread of the Go process has stopped; requests sent in that gap can still
    // be answered. Wait until the kernel reports the process stopped ('T').
    for (let i = 0; i < 200 && !/^\S+ \(.*\) T /.test(readFileSync(`/proc/${etcd.proc.pid}/stat`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 5));
    try {
      const [w, r] = await Promise.all([perform(client, 'write', 'n1', 'p1', 5), perform(client, 'read', 'n1', 'p1', null)]);
      expect(w).toEqual({ type: 'info', value: 5, error: 'timeout' });
      expect(r).toEqual({ type: 'fail', error: 'timeout' });
      const pending = perform(client, 'cas', 'n1', 'p2', [2, 3]);
      await new Promise((res) => setTimeout(res, 200));
      const exited = new Promise((res) => etcd.proc.once('exit', res));
      etcd.proc.kill('SIGKILL');
      await exited;
      expect(await pending).toMatchObject({ type: 'info', value: [2, 3] });
    } finally {
      if (etcd.proc.exitCode === null && etcd.proc.signalCode === null) etcd.proc.kill('SIGCONT');
    }
  });
});
