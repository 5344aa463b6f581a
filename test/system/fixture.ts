// Test fixture: a real cluster (etcd by default) in a host or netns lab with its own run registry and run directory, torn down fully.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab } from '../../src/lab/factory.js';
import type { Lab, LabKind } from '../../src/lab/lab.js';
import { newRunId, RunLedger } from '../../src/lab/ledger.js';
import { etcdSystem, type EtcdCluster } from '../../src/system/etcd.js';
import { settingsFor } from '../../src/system/index.js';
import type { Cluster, RaftSettings, System } from '../../src/system/system.js';

export const FAST: RaftSettings = { heartbeatMs: 50, electionMs: 500, preVote: true };

export interface Fixture<C extends Cluster = EtcdCluster> {
  lab: Lab;
  cluster: C;
  registry: RunLedger;
  runDir: string;
  t0: bigint;
  /** Tears everything down; safe to call twice. Throws if the registry could not release something. */
  close(): Promise<void>;
}

/** A real cluster of any system in a host or netns lab, with its own registry and run directory. */
export async function startSystemCluster<C extends Cluster>(system: System, nodeCount: number, settings: RaftSettings, kind: LabKind = 'host', keepDir = false): Promise<Fixture<C>> {
  const runId = newRunId();
  const registry = RunLedger.create(runId, kind);
  const runDir = mkdtempSync(join(tmpdir(), `fl-test-${runId}-`));
  chmodSync(runDir, 0o755);
  const lab = createLab(kind, { runId, nodeCount, registry, ports: system.ports });
  const t0 = process.hrtime.bigint();
  let cluster: C | undefined;
  const close = async (): Promise<void> => {
    await cluster?.teardown();
    await lab.down();
    const errors = await registry.release();
    if (!keepDir) rmSync(runDir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(`cleanup: ${errors.join('; ')}`);
  };
  try {
    await lab.up();
    cluster = (await system.createCluster({ lab, settings: settingsFor(system, settings), runDir, t0 })) as C;
    await cluster.start(30_000);
    return { lab, cluster, registry, runDir, t0, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

export function startCluster(nodeCount: number, settings: RaftSettings = FAST, keepDir = false): Promise<Fixture<EtcdCluster>> {
  return startSystemCluster<EtcdCluster>(etcdSystem, nodeCount, settings, 'host', keepDir);
}
