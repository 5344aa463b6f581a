// Test fixture: a real etcd cluster in a host lab with its own run registry and run directory, torn down fully.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostLab } from '../../src/lab/host.js';
import { newRunId, RunRegistry } from '../../src/lab/registry.js';
import { EtcdCluster, EtcdSystem } from '../../src/system/etcd.js';
import type { RaftSettings } from '../../src/system/system.js';

export const FAST: RaftSettings = { heartbeatMs: 50, electionMs: 500, preVote: true };

export interface Fixture {
  lab: HostLab;
  cluster: EtcdCluster;
  registry: RunRegistry;
  runDir: string;
  t0: bigint;
  /** Tears everything down; safe to call twice. Throws if the registry could not release something. */
  close(): Promise<void>;
}

export async function startCluster(nodeCount: number, settings: RaftSettings = FAST, keepDir = false): Promise<Fixture> {
  const runId = newRunId();
  const registry = RunRegistry.create(runId, 'host');
  const runDir = mkdtempSync(join(tmpdir(), `fl-test-${runId}-`));
  const lab = new HostLab({ runId, nodeCount, registry });
  const t0 = process.hrtime.bigint();
  let cluster: EtcdCluster | undefined;
  const close = async (): Promise<void> => {
    await cluster?.teardown();
    await lab.down();
    const errors = await registry.release();
    if (!keepDir) rmSync(runDir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(`cleanup: ${errors.join('; ')}`);
  };
  try {
    await lab.up();
    cluster = await new EtcdSystem().createCluster({ lab, settings, runDir, t0 });
    await cluster.start(30_000);
    return { lab, cluster, registry, runDir, t0, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/** Polls until `fn` returns a defined value or the time runs out. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
