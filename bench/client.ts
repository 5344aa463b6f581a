// Benchmark: put/s recorded by our client (history and all) vs autocannon, same leader, concurrency 16 and 64.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { EtcdClient } from '../src/client/etcd.js';
import { OpGenerator } from '../src/generator/generator.js';
import { HistoryWriter } from '../src/history/writer.js';
import { createLab } from '../src/lab/factory.js';
import { newRunId, RunRegistry } from '../src/lab/registry.js';
import { Load } from '../src/run/load.js';
import { HistoryRecorder } from '../src/run/recorder.js';
import { etcdSystem } from '../src/system/etcd.js';
import { registerWorkload } from '../src/workload/register.js';

const DURATION_S = Number(process.env['BENCH_SECONDS'] ?? 10);
const LEVELS = [16, 64];

async function ours(url: string, node: string, concurrency: number, dir: string): Promise<{ rate: number; ok: number; other: number }> {
  const client = new EtcdClient({ timeoutMs: 5000, serializableReads: false, connectionsPerNode: concurrency });
  await client.open(node, url);
  const file = await HistoryWriter.open(join(dir, `history-${concurrency}.jsonl`), { flushMs: 100 });
  const recorder = new HistoryRecorder(file, process.hrtime.bigint());
  const generator = new OpGenerator(registerWorkload(), { seed: 1, concurrency, nodes: [node], mix: { write: 1 }, keys: { threadsPerKey: concurrency, opsPerKey: 1_000_000 } });
  const load = new Load({ concurrency, generator, client, recorder });
  const t = performance.now();
  load.start();
  await new Promise((r) => setTimeout(r, DURATION_S * 1000));
  await load.stop();
  const s = (performance.now() - t) / 1000;
  await file.close();
  await client.close();
  return { rate: recorder.counts.ok / s, ok: recorder.counts.ok, other: recorder.counts.fail + recorder.counts.info };
}

async function cannon(url: string, connections: number): Promise<{ rate: number; non2xx: number }> {
  const r = await autocannon({
    url: `${url}/v3/kv/put`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: Buffer.from('bench').toString('base64'), value: Buffer.from('1').toString('base64') }),
    connections,
    duration: DURATION_S,
  });
  return { rate: r['2xx'] / DURATION_S, non2xx: r.non2xx + r.errors + r.timeouts };
}

async function main(): Promise<void> {
  const runId = newRunId();
  const registry = RunRegistry.create(runId, 'host');
  const lab = createLab('host', { runId, nodeCount: 3, registry });
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-client-'));
  const cluster = await etcdSystem.createCluster({ lab, settings: { heartbeatMs: 100, electionMs: 1000, preVote: false }, runDir: dir, t0: process.hrtime.bigint() });
  try {
    await lab.up();
    await cluster.start();
    const leader = await cluster.leader();
    if (!leader) throw new Error('no leader');
    const url = cluster.clientUrl(leader);
    console.log(`etcd ${cluster.version}, 3 nodes (host lab), put to leader ${leader}, ${DURATION_S} s per measurement`);
    console.log('concurrency  autocannon put/s  faultline put/s  ratio');
    for (const c of LEVELS) {
      // Alternate which tool goes first: etcd slows as its log and db grow, and the machine may be shared.
      const first = process.env['BENCH_OURS_FIRST'] === '1';
      const o0 = first ? await ours(url, leader, c, dir) : undefined;
      const a = await cannon(url, c);
      const o = o0 ?? (await ours(url, leader, c, dir));
      const notes = [a.non2xx ? `autocannon non-2xx/errors ${a.non2xx}` : '', o.other ? `faultline fail/info ${o.other}` : ''].filter(Boolean).join(', ');
      console.log(`${String(c).padStart(11)}  ${a.rate.toFixed(0).padStart(16)}  ${o.rate.toFixed(0).padStart(15)}  ${(o.rate / a.rate).toFixed(2).padStart(5)}${notes ? `  (${notes})` : ''}`);
    }
  } finally {
    await cluster.teardown();
    await lab.down();
    await registry.release();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
