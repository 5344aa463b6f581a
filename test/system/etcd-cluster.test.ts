// A real 3-node and 5-node etcd cluster on the host lab: health, leader, kill/restart, pause/resume, logs, metrics.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStartTime } from '../../src/lab/ledger.js';
import { startCluster, type Fixture } from './fixture.js';
import { eventually } from '../support/process.js';

describe('etcd 3-node cluster on the host lab', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startCluster(3);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('comes up healthy, knows its leader, registers every process and data dir', async () => {
    const leader = await f.cluster.leader();
    expect(f.cluster.nodes).toContain(leader);
    const procs = f.registry.resources().filter((r) => r.kind === 'process');
    expect(procs).toHaveLength(3);
    for (const n of f.cluster.nodes) {
      const pid = f.cluster.pid(n)!;
      expect(procs.some((r) => r.kind === 'process' && r.pid === pid && r.startTime === processStartTime(pid))).toBe(true);
      expect(f.registry.resources().some((r) => r.kind === 'dir' && r.path === join(f.runDir, 'nodes', n, 'data'))).toBe(true);
    }
    const ms = await f.cluster.members();
    expect(ms.map((m) => m.name).sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('kill leader → new leader among the others; restart rejoins with its data', async () => {
    const old = (await f.cluster.leader())!;
    await f.cluster.kill(old);
    expect(f.cluster.isRunning(old)).toBe(false);
    const next = await eventually(async () => {
      const l = await f.cluster.leader();
      return l && l !== old ? l : undefined;
    }, 10_000, 'a new leader');
    expect(next).not.toBe(old);
    await f.cluster.restart(old);
    await f.cluster.waitHealthy(10_000);
    const st = await eventually(async () => {
      const s = await f.cluster.status(old);
      return s?.leaderId ? s : undefined;
    }, 10_000, `${old} to see a leader`);
    expect(st.leaderId).toBeDefined();
  });

  it('pause leader longer than the election timeout → leader changes; resume rejoins', async () => {
    const old = (await f.cluster.leader())!;
    await f.cluster.pause(old);
    try {
      expect(f.cluster.isPaused(old)).toBe(true);
      const next = await eventually(async () => {
        const l = await f.cluster.leader();
        return l && l !== old ? l : undefined;
      }, 10_000, 'a new leader while paused');
      expect(next).not.toBe(old);
    } finally {
      await f.cluster.resume(old);
    }
    await eventually(async () => {
      const s = await f.cluster.status(old);
      const l = await f.cluster.leader();
      return s?.leaderId && l ? true : undefined;
    }, 10_000, `${old} to rejoin`);
  });

  it('parses the election timeline from the zap logs', async () => {
    const ev = await f.cluster.elections();
    expect(ev.filter((e) => e.event === 'leader').length).toBeGreaterThanOrEqual(3); // initial + kill + pause
    expect(ev.some((e) => e.event === 'pre-candidate')).toBe(true); // pre-vote on
    for (let i = 1; i < ev.length; i++) expect(ev[i]!.time).toBeGreaterThanOrEqual(ev[i - 1]!.time);
    // Times are ns since t0: the first event happened shortly after the test started.
    expect(ev[0]!.time).toBeGreaterThan(-1e9);
    expect(ev[0]!.time).toBeLessThan(60e9);
  });

  it('samples /metrics into metrics.jsonl', async () => {
    f.cluster.startMetrics(100);
    await new Promise((r) => setTimeout(r, 450));
    const samples = await f.cluster.stopMetrics();
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const s = samples.find((x) => x.node === 'n1')!;
    expect(s.values['etcd_server_has_leader']).toBe(1);
    expect(s.values['etcd_disk_wal_fsync_duration_seconds_count']).toBeGreaterThan(0);
    expect(Object.keys(s.values).some((k) => k.startsWith('etcd_disk_wal_fsync_duration_seconds_bucket{le='))).toBe(true);
    const file = join(f.runDir, 'nodes', 'n1', 'metrics.jsonl');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!).node).toBe('n1');
  });
});

describe('etcd 5-node cluster on the host lab', () => {
  it('comes up healthy with a leader and tears down leaving no process or data dir', async () => {
    const f = await startCluster(5, { heartbeatMs: 50, electionMs: 500, preVote: false, snapshotCount: 1000 }, true);
    const pids: number[] = [];
    try {
      expect(f.cluster.nodes).toHaveLength(5);
      expect(await f.cluster.leader()).toMatch(/^n[1-5]$/);
      for (const n of f.cluster.nodes) pids.push(f.cluster.pid(n)!);
    } finally {
      await f.close();
    }
    try {
      for (const p of pids) expect(processStartTime(p)).toBeUndefined();
      for (const n of ['n1', 'n5']) {
        expect(existsSync(join(f.runDir, 'nodes', n, 'data'))).toBe(false);
        expect(existsSync(join(f.runDir, 'nodes', n, 'etcd.log'))).toBe(true);
      }
    } finally {
      rmSync(f.runDir, { recursive: true, force: true });
    }
  });
});

describe('etcd start failure', () => {
  it('names the node that failed and quotes the tail of its log', async () => {
    const err = await startCluster(1, { heartbeatMs: 50, electionMs: 500, preVote: true, extraFlags: ['--no-such-flag'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: number }).code).toBe(4);
    expect((err as Error).message).toMatch(/^etcd node n1 \(run \w+\) exited with code \d+(?: \(.*\))?; log .*etcd\.log ends:/);
    expect((err as Error).message).toContain('no-such-flag');
  });
});
