// Real etcd in the netns lab under partition nemeses, driven by the NemesisRunner: leader isolation and the gray pair.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetnsLab } from '../../src/lab/netns.js';
import type { RunLedger } from '../../src/lab/ledger.js';
import { seeded as seededRandom } from '../../src/generator/random.js';
import { NemesisRunner, scheduleFromNames, type NemesisRecord } from '../../src/nemesis/schedule.js';
import { etcdSystem } from '../../src/system/etcd.js';
import type { Cluster, ElectionEvent } from '../../src/system/system.js';
import { isRoot, leftovers, recordedProcesses, startLab } from './support/lab.js';
import { eventually } from '../support/process.js';

interface Env {
  lab: NetnsLab;
  registry: RunLedger;
  cluster: Cluster;
  runDir: string;
  t0: bigint;
  upMs: number;
}

async function withCluster(preVote: boolean, body: (env: Env) => Promise<void>): Promise<void> {
  const { lab, registry } = await startLab(3, etcdSystem.ports);
  const runDir = mkdtempSync(join(tmpdir(), 'fl-netns-etcd-'));
  const t0 = process.hrtime.bigint();
  let cluster: Cluster | undefined;
  try {
    const start = performance.now();
    await lab.up();
    cluster = await etcdSystem.createCluster({ lab, settings: { heartbeatMs: 100, electionMs: 1000, preVote }, runDir, t0 });
    await cluster.start(20_000);
    const upMs = performance.now() - start;
    await body({ lab, registry, cluster, runDir, t0, upMs });
  } finally {
    const procs = recordedProcesses(registry);
    await cluster?.teardown();
    await lab.down();
    await registry.release();
    rmSync(runDir, { recursive: true, force: true });
    expect(leftovers(lab.runId, procs)).toEqual([]);
  }
}

const nowNs = (t0: bigint): number => Number(process.hrtime.bigint() - t0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const maxTerm = (es: ElectionEvent[]): number => Math.max(0, ...es.map((e) => e.term));

describe.skipIf(!isRoot)('etcd in the netns lab under partition nemeses', () => {
  it('isolating the leader elects a new one on the majority side; healing returns to health', async () => {
    await withCluster(true, async ({ lab, cluster, runDir, t0, upMs }) => {
      console.log(`3-node etcd in netns lab: up (lab + etcd healthy) in ${upMs.toFixed(0)} ms`);
      const ops: NemesisRecord[] = [];
      const runner = new NemesisRunner({ lab, cluster, random: seededRandom(1), runDir }, scheduleFromNames(['partition-leader']), {
        record: (op) => ops.push(op),
      });
      await runner.setup();
      const old = await eventually(() => cluster.leader(), 10_000, 'a leader', 100);
      // One start now; the stop comes from healAll, as in a run's heal phase.
      await runner.run([{ at: 0, f: 'start-partition-leader', nemesis: 'partition-leader', options: {} }]);
      expect(runner.active()).toEqual(['partition-leader']);
      const info = ops[1]!;
      expect(ops[0]).toMatchObject({ type: 'invoke', f: 'start-partition-leader' });
      expect(info).toMatchObject({ type: 'info', f: 'start-partition-leader', value: { shape: 'leader', leader: old } });
      expect((info.value as { grudge: Record<string, string[]> }).grudge[old]!.length).toBe(2);
      const t = performance.now();
      const fresh = await eventually(
        async () => {
          const l = await cluster.leader();
          return l !== undefined && l !== old ? l : undefined;
        },
        15_000,
        'a new leader on the majority side',
        100,
      );
      console.log(`partition-leader: ${old} isolated, ${fresh} elected after ${(performance.now() - t).toFixed(0)} ms`);
      await runner.healAll();
      expect(runner.active()).toEqual([]);
      expect(ops.at(-1)).toMatchObject({ type: 'info', f: 'stop-partition-leader', value: { healed: 'partition-leader', grudge: {} } });
      const h = performance.now();
      await cluster.waitHealthy(15_000);
      // The old leader rejoins: it answers status and agrees on the leader.
      const st = await eventually(
        async () => {
          const s = await cluster.status(old);
          return s?.leaderId ? s : undefined;
        },
        10_000,
        `${old} to rejoin`,
        100,
      );
      expect(st.leaderId).toBeDefined();
      console.log(`heal → healthy in ${(performance.now() - h).toFixed(0)} ms; history ops: ${ops.length}`);
      await runner.teardown();
      expect(nowNs(t0)).toBeGreaterThan(0);
    });
  });

  /** Holds the gray pair ~4 s, heals, and returns the terms before the fault and after the heal settles. */
  async function grayRun(preVote: boolean): Promise<{ before: number; after: number; leaderAfterHeal: boolean; value: unknown }> {
    let result: { before: number; after: number; leaderAfterHeal: boolean; value: unknown } | undefined;
    await withCluster(preVote, async ({ lab, cluster, runDir, t0 }) => {
      const ops: NemesisRecord[] = [];
      const runner = new NemesisRunner({ lab, cluster, random: seededRandom(2), runDir }, scheduleFromNames(['partition-gray']), {
        record: (op) => ops.push(op),
      });
      await runner.setup();
      await eventually(() => cluster.leader(), 10_000, 'a leader', 100);
      await sleep(500);
      const before = maxTerm(await cluster.elections());
      await runner.run([{ at: 0, f: 'start-partition-gray', nemesis: 'partition-gray', options: {} }]);
      await sleep(4000);
      const healNs = nowNs(t0);
      await runner.healAll();
      await cluster.waitHealthy(15_000);
      // Stalled peer connections take ~1 s to come back, and a deposed leader's election ~1.5 s more:
      // wait until the election log has been quiet for 2 s (at most 10 s after the heal).
      let es = await cluster.elections();
      const settleBy = Date.now() + 10_000;
      while (Date.now() < settleBy && nowNs(t0) - Math.max(healNs, ...es.map((e) => e.time)) < 2e9) {
        await sleep(250);
        es = await cluster.elections();
      }
      if (process.env.FL_DEBUG) console.log(healNs, JSON.stringify(es.map((e) => [e.time, e.node, e.event, e.term])));
      result = {
        before,
        after: maxTerm(es),
        leaderAfterHeal: es.some((e) => e.event === 'leader' && e.time > healNs && e.term > before),
        value: ops[1]!.value,
      };
      await runner.teardown();
    });
    return result!;
  }

  it('the asymmetric gray pair deposes the leader on heal with pre-vote off, not with pre-vote on', async () => {
    const off = await grayRun(false);
    const on = await grayRun(true);
    console.log(`gray pair 4 s: pre-vote off term ${off.before} → ${off.after}; pre-vote on term ${on.before} → ${on.after}`);
    expect(off.value).toMatchObject({ shape: 'gray' });
    expect(off.after).toBeGreaterThan(off.before + 1);
    expect(off.leaderAfterHeal).toBe(true);
    expect(on.after).toBe(on.before);
    expect(on.leaderAfterHeal).toBe(false);
  });
});
