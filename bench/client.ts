// Benchmark: put/s recorded by our client through the Client seam (history and all) vs autocannon, same leader,
// concurrency 16 and 64, on every installed system (etcd, antietcd).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { OpGenerator } from '../src/generator/generator.js';
import { HistoryWriter } from '../src/history/writer.js';
import { Scope } from '../src/lab/scope.js';
import { changingPuts } from '../src/throughput/level.js';
import { createLab } from '../src/lab/factory.js';
import { newRunId, RunLedger } from '../src/lab/ledger.js';
import { Load } from '../src/run/load.js';
import { HistoryRecorder } from '../src/run/recorder.js';
import { findSystem } from '../src/system/index.js';
import type { System } from '../src/system/system.js';
import { registerWorkload } from '../src/workload/register.js';

/** Seconds per client per concurrency level, measured in SLICES interleaved slices. */
const DURATION_S = Number(process.env['BENCH_SECONDS'] ?? 10);
const SLICES = 5;
const SLICE_S = DURATION_S / SLICES;
const LEVELS = [16, 64];

let slice = 0;

async function ours(system: System, url: string, node: string, concurrency: number, dir: string, seconds: number): Promise<{ ok: number; other: number }> {
  const client = system.createClient({ timeoutMs: 5000, localReads: false, connectionsPerNode: concurrency });
  await client.open(node, url);
  const file = await HistoryWriter.open(join(dir, `history-${concurrency}-${++slice}.jsonl`), { flushMs: 100 });
  const recorder = new HistoryRecorder(file, process.hrtime.bigint());
  const generator = new OpGenerator(registerWorkload(), { seed: 1, concurrency, nodes: [node], mix: { write: 1 }, keys: { threadsPerKey: concurrency, opsPerKey: 1_000_000 } });
  const load = new Load({ concurrency, generator, client, recorder });
  const t = performance.now();
  load.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await load.stop();
  // Ops completed after the deadline (stop waits for in-flight ones) are scaled away.
  const scale = seconds / ((performance.now() - t) / 1000);
  await file.close();
  await client.close();
  return { ok: recorder.counts.ok * scale, other: recorder.counts.fail + recorder.counts.info };
}

async function cannon(url: string, connections: number, seconds: number): Promise<{ ok: number; non2xx: number }> {
  const r = await autocannon({
    url,
    // A new value per put, as our load writes: a store may skip a put that changes nothing.
    requests: changingPuts('bench'),
    connections,
    duration: seconds,
  });
  return { ok: r['2xx'], non2xx: r.non2xx + r.errors + r.timeouts };
}

async function main(): Promise<void> {
  for (const name of (process.env['BENCH_SYSTEMS'] ?? 'etcd,antietcd').split(',')) {
    const system = findSystem(name);
    if (!system) throw new Error(`unknown system ${name}`);
    try {
      await system.detect();
    } catch (e) {
      console.log(`${name}: skipped (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    await benchSystem(system);
  }
}

async function benchSystem(system: System): Promise<void> {
  // Ctrl-C during the bench must not leave three nodes behind: every step pushes its undo.
  const scope = new Scope((what, e) => console.error(`${what}: ${e.message}`), true);
  try {
    const runId = newRunId();
    const registry = RunLedger.create(runId, 'host');
    scope.defer('release registry', () => registry.release());
    const dir = mkdtempSync(join(tmpdir(), 'fl-bench-client-'));
    scope.defer('remove run dir', () => rmSync(dir, { recursive: true, force: true }));
    const lab = createLab('host', { runId, nodeCount: 3, registry, ports: system.ports });
    scope.defer('lab down', () => lab.down());
    await lab.up();
    const cluster = await system.createCluster({ lab, settings: { heartbeatMs: 100, electionMs: 1000, preVote: false }, runDir: dir, t0: process.hrtime.bigint() });
    scope.defer('cluster teardown', () => cluster.teardown());
    await cluster.start();
    const leader = await cluster.leader();
    if (!leader) throw new Error('no leader');
    const url = cluster.clientUrl(leader);
    console.log(`${system.name} ${cluster.version}, 3 nodes (host lab), put to leader ${leader}, ${DURATION_S} s per client and level in ${SLICES} interleaved slices`);
    console.log('concurrency  autocannon put/s  faultline put/s  ratio  cpu µs/put A  cpu µs/put F');
    for (const c of LEVELS) {
      // Interleaved slices (A B B A ...) rather than one long run each: etcd slows as its log grows and the
      // machine may be shared, and interleaving spreads both drifts evenly over the two clients.
      let aOps = 0;
      let oOps = 0;
      let aBad = 0;
      let oBad = 0;
      // This process's CPU time per put for each client: every µs the harness spends is taken from etcd on a
      // 2-core machine, so it explains most of the gap between the two.
      let aCpu = 0;
      let oCpu = 0;
      const cpu = (): number => {
        const u = process.cpuUsage();
        return u.user + u.system;
      };
      const runOurs = async (): Promise<void> => {
        const c0 = cpu();
        const o = await ours(system, url, leader, c, dir, SLICE_S);
        oCpu += cpu() - c0;
        oOps += o.ok;
        oBad += o.other;
      };
      for (let i = 0; i < SLICES; i++) {
        const oursFirst = i % 2 === 1;
        if (oursFirst) await runOurs();
        const c0 = cpu();
        const a = await cannon(url, c, SLICE_S);
        aCpu += cpu() - c0;
        aOps += a.ok;
        aBad += a.non2xx;
        if (!oursFirst) await runOurs();
      }
      const total = SLICES * SLICE_S;
      const notes = [aBad ? `autocannon non-2xx/errors ${aBad}` : '', oBad ? `faultline fail/info ${oBad}` : ''].filter(Boolean).join(', ');
      const perOp = (us: number, ops: number): string => (us / Math.max(1, ops)).toFixed(0);
      console.log(`${String(c).padStart(11)}  ${(aOps / total).toFixed(0).padStart(16)}  ${(oOps / total).toFixed(0).padStart(15)}  ${(oOps / aOps).toFixed(2).padStart(5)}  ${perOp(aCpu, aOps).padStart(11)}  ${perOp(oCpu, oOps).padStart(12)}${notes ? `  (${notes})` : ''}`);
    }
  } finally {
    await scope.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
