// Benchmark of the netns lab: time to bring a 3-node lab up and down, and to a healthy 3-node etcd in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsLab } from '../src/lab/netns.js';
import { newRunId, RunLedger } from '../src/lab/ledger.js';
import { etcdSystem } from '../src/system/etcd.js';
import { quantile } from '../src/util/percentile.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 5);

async function round(withEtcd: boolean): Promise<{ upMs: number; downMs: number }> {
  const runId = newRunId();
  const registry = RunLedger.create(runId, 'netns');
  const lab = new NetnsLab({ runId, nodeCount: 3, registry, ports: etcdSystem.ports });
  const runDir = mkdtempSync(join(tmpdir(), 'fl-bench-netns-'));
  try {
    const t0 = performance.now();
    await lab.up();
    let cluster;
    if (withEtcd) {
      cluster = await etcdSystem.createCluster({ lab, settings: { heartbeatMs: 100, electionMs: 1000, preVote: true }, runDir, t0: process.hrtime.bigint() });
      await cluster.start(30_000);
    }
    const upMs = performance.now() - t0;
    const t1 = performance.now();
    await cluster?.teardown();
    await lab.down();
    return { upMs, downMs: performance.now() - t1 };
  } finally {
    await lab.down();
    await registry.release();
    rmSync(runDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => quantile(xs, 0.5) ?? NaN;

for (const withEtcd of [false, true]) {
  const rs: { upMs: number; downMs: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) rs.push(await round(withEtcd));
  const what = withEtcd ? '3-node etcd healthy in netns lab' : '3-node netns lab';
  console.log(
    `${what}: up median ${median(rs.map((r) => r.upMs)).toFixed(0)} ms (max ${Math.max(...rs.map((r) => r.upMs)).toFixed(0)}), ` +
      `down median ${median(rs.map((r) => r.downMs)).toFixed(0)} ms (max ${Math.max(...rs.map((r) => r.downMs)).toFixed(0)}) over ${ROUNDS} rounds`,
  );
}
