// Lab benchmark: time from spawn to a healthy 3-node etcd cluster, and teardown time, per lab kind (median of 5).
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRoot } from '../src/lab/exec.js';
import { createLab } from '../src/lab/factory.js';
import type { LabKind } from '../src/lab/lab.js';
import { newRunId, RunRegistry } from '../src/lab/registry.js';
import { EtcdSystem } from '../src/system/etcd.js';

const ROUNDS = 5;
const TARGET_UP_MS = 3000;
const TARGET_DOWN_MS = 1000;

interface Round {
  labUpMs: number;
  /** First etcd spawned → leader elected and a write committed. */
  healthyMs: number;
  /** cluster.teardown + lab.down + registry release. */
  downMs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function round(kind: LabKind, system: EtcdSystem): Promise<Round> {
  const runId = newRunId();
  const registry = RunRegistry.create(runId, kind);
  const runDir = mkdtempSync(join(tmpdir(), `fl-bench-${runId}-`));
  chmodSync(runDir, 0o755);
  const lab = createLab(kind, { runId, nodeCount: 3, registry });
  let cluster: Awaited<ReturnType<EtcdSystem['createCluster']>> | undefined;
  try {
    const t0 = performance.now();
    await lab.up();
    const t1 = performance.now();
    cluster = await system.createCluster({ lab, runDir, t0: process.hrtime.bigint(), settings: { heartbeatMs: 100, electionMs: 1000, preVote: true } });
    const t2 = performance.now();
    await cluster.start(30_000);
    const t3 = performance.now();
    await cluster.teardown();
    await lab.down();
    const errors = await registry.release();
    const t4 = performance.now();
    if (errors.length) throw new Error(`teardown left: ${errors.join('; ')}`);
    return { labUpMs: t1 - t0, healthyMs: t3 - t2, downMs: t4 - t3 };
  } catch (e) {
    await cluster?.teardown().catch(() => undefined);
    await lab.down().catch(() => undefined);
    await registry.release();
    throw e;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const system = new EtcdSystem();
  const { version } = await system.detect();
  const kinds: LabKind[] = ['host'];
  const netnsBuilt = existsSync(fileURLToPath(new URL('../src/lab/netns.js', import.meta.url)));
  if (netnsBuilt && isRoot()) kinds.push('netns');
  console.log(`bench:lab — etcd ${version}, 3 nodes, heartbeat 100 ms, election 1000 ms, median of ${ROUNDS}`);
  for (const kind of kinds) {
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await round(kind, system));
    const up = rounds.map((r) => r.labUpMs + r.healthyMs);
    const down = rounds.map((r) => r.downMs);
    const f = (x: number): string => `${x.toFixed(0)} ms`;
    console.log(
      `${kind.padEnd(5)}  up (lab + spawn → healthy) ${f(median(up))} [lab ${f(median(rounds.map((r) => r.labUpMs)))}, etcd ${f(median(rounds.map((r) => r.healthyMs)))}; min ${f(Math.min(...up))}, max ${f(Math.max(...up))}] ${median(up) < TARGET_UP_MS ? 'OK' : 'OVER'} target < ${TARGET_UP_MS} ms`,
    );
    console.log(
      `${''.padEnd(5)}  down ${f(median(down))} [min ${f(Math.min(...down))}, max ${f(Math.max(...down))}] ${median(down) < TARGET_DOWN_MS ? 'OK' : 'OVER'} target < ${TARGET_DOWN_MS} ms`,
    );
  }
  if (!isRoot()) console.log('netns: skipped (needs root)');
}

main().catch((e: unknown) => {
  console.error(`bench:lab failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
