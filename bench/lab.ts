// Lab benchmark: time from spawn to a healthy 3-node cluster, and teardown time, per system and lab kind
// (median of 5), systems side by side in one run.
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRoot } from '../src/lab/exec.js';
import { createLab } from '../src/lab/factory.js';
import type { LabKind } from '../src/lab/lab.js';
import { newRunId, RunLedger } from '../src/lab/ledger.js';
import { findSystem } from '../src/system/index.js';
import { quantile } from '../src/util/percentile.js';
import type { Cluster, System } from '../src/system/system.js';

const ROUNDS = 5;
/** Targets per system (antietcd's from its issue: a pure-JS node needs no WAL preallocation). */
const TARGETS: Record<string, { upMs: number; downMs: number }> = { etcd: { upMs: 3000, downMs: 1000 }, antietcd: { upMs: 1500, downMs: 500 }, zookeeper: { upMs: 3000, downMs: 1000 } };

interface Round {
  labUpMs: number;
  /** First etcd spawned → leader elected and a write committed. */
  healthyMs: number;
  /** cluster.teardown + lab.down + registry release. */
  downMs: number;
}

const median = (xs: number[]): number => quantile(xs, 0.5) ?? NaN;

async function round(kind: LabKind, system: System): Promise<Round> {
  const runId = newRunId();
  const registry = RunLedger.create(runId, kind);
  const runDir = mkdtempSync(join(tmpdir(), `fl-bench-${runId}-`));
  chmodSync(runDir, 0o755);
  const lab = createLab(kind, { runId, nodeCount: 3, registry, ports: system.ports });
  let cluster: Cluster | undefined;
  try {
    const t0 = performance.now();
    await lab.up();
    const t1 = performance.now();
    cluster = await system.createCluster({ lab, runDir, t0: process.hrtime.bigint(), settings: { heartbeatMs: 100, electionMs: 1000, preVote: system.name === 'etcd' } });
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
  const kinds: LabKind[] = ['host'];
  const netnsBuilt = existsSync(fileURLToPath(new URL('../src/lab/netns.js', import.meta.url)));
  if (netnsBuilt && isRoot()) kinds.push('netns');
  console.log(`bench:lab — 3 nodes, heartbeat 100 ms, election 1000 ms, median of ${ROUNDS}; systems alternate per round`);
  const systems: { system: System; version: string }[] = [];
  for (const name of ['etcd', 'antietcd', 'zookeeper']) {
    const system = findSystem(name)!;
    try {
      systems.push({ system, version: (await system.detect()).version });
    } catch (e) {
      console.log(`${name}: skipped (${(e as Error).message.split('\n')[0]})`);
    }
  }
  for (const kind of kinds) {
    const rounds = new Map<string, Round[]>(systems.map((s) => [s.system.name, []]));
    // Alternating rounds: a noisy moment on this shared machine hits both systems, not one.
    for (let i = 0; i < ROUNDS; i++) for (const s of systems) rounds.get(s.system.name)!.push(await round(kind, s.system));
    for (const { system, version } of systems) {
      const rs = rounds.get(system.name)!;
      const target = TARGETS[system.name]!;
      const up = rs.map((r) => r.labUpMs + r.healthyMs);
      const down = rs.map((r) => r.downMs);
      const f = (x: number): string => `${x.toFixed(0)} ms`;
      console.log(
        `${kind.padEnd(5)}  ${`${system.name} ${version}`.padEnd(16)} up (lab + spawn → healthy) ${f(median(up))} [lab ${f(median(rs.map((r) => r.labUpMs)))}, nodes ${f(median(rs.map((r) => r.healthyMs)))}; min ${f(Math.min(...up))}, max ${f(Math.max(...up))}] ${median(up) < target.upMs ? 'OK' : 'OVER'} target < ${target.upMs} ms`,
      );
      console.log(`${''.padEnd(5)}  ${''.padEnd(16)} down ${f(median(down))} [min ${f(Math.min(...down))}, max ${f(Math.max(...down))}] ${median(down) < target.downMs ? 'OK' : 'OVER'} target < ${target.downMs} ms`);
    }
  }
  if (!isRoot()) console.log('netns: skipped (needs root)');
}

main().catch((e: unknown) => {
  console.error(`bench:lab failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
