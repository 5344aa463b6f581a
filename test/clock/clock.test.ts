// Clock control through libfaketime on real nodes: a bump moves a ZooKeeper node's log timestamps by the
// offset and a reset puts them back; a rate of 2 halves the time an antietcd follower takes to its election
// timeout and a reset restores it; nothing is left behind (control files, shared memory, processes).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shmFiles } from '../../src/lab/proc.js';
import { controlLine, libfaketime, offsetAt } from '../../src/system/faketime.js';
import { antietcdSystem, type AntietcdCluster } from '../../src/system/antietcd.js';
import type { RaftSettings } from '../../src/system/system.js';
import { fourLetter } from '../../src/system/zookeeper-4lw.js';
import { zookeeperLineTime } from '../../src/system/zookeeper-log.js';
import { zookeeperSystem, type ZookeeperCluster } from '../../src/system/zookeeper.js';
import { leftovers } from '../run/cli.js';
import { startSystemCluster, type Fixture } from '../system/fixture.js';
import { eventually } from '../support/process.js';

const haveFaketime = libfaketime() !== undefined;
let haveZk = true;
try {
  await zookeeperSystem.detect();
} catch {
  haveZk = false;
}

describe('libfaketime control lines (pure)', () => {
  it('keeps the clock continuous when the rate changes: offset written = D + (t0 - S)(1 - R)', () => {
    const S = 1_000_000;
    expect(controlLine(300, 2, S + 1504, S)).toBe('-1.204 x2\n');
    expect(controlLine(0, 1, S + 5000, S)).toBe('+0.000 x1\n');
    expect(controlLine(-2000, 1, S + 10, S)).toBe('-2.000 x1\n');
    // libfaketime's fake time S + (t - S)·R + off equals t + D at the change, and drifts by (R - 1) after.
    const fake = (t: number, R: number, off: number): number => S + (t - S) * R + off;
    const t0 = S + 7000;
    const off = 1000 * Number(controlLine(500, 0.5, t0, S).split(' ')[0]);
    expect(fake(t0, 0.5, off) - t0).toBeCloseTo(500, 6);
    expect(fake(t0 + 2000, 0.5, off) - (t0 + 2000)).toBeCloseTo(offsetAt({ offsetMs: 500, rate: 0.5, sinceMs: t0 }, t0 + 2000), 6);
    expect(offsetAt({ offsetMs: 500, rate: 0.5, sinceMs: t0 }, t0 + 2000)).toBe(-500);
  });

  it('etcd keeps its refusal; antietcd and zookeeper offer clock control where libfaketime is installed', () => {
    expect(antietcdSystem.missing('clock')).toBe(haveFaketime ? undefined : 'clock control for antietcd needs libfaketime (apt-get install libfaketime)');
    expect(zookeeperSystem.capabilities.has('clock')).toBe(haveFaketime);
  });
});

/** What a run could leave: its control directory, libfaketime's shm files of every pid it had, processes. */
function leaks(f: Fixture<ZookeeperCluster | AntietcdCluster>, dir: string, pids: number[]): string[] {
  return [...(existsSync(dir) ? [dir] : []), ...pids.flatMap(shmFiles).filter((p) => existsSync(p)), ...leftovers(f.lab.runId)];
}

describe.skipIf(!haveFaketime || !haveZk)('a bump on a real ZooKeeper node', () => {
  let f: Fixture<ZookeeperCluster>;
  const pids: number[] = [];
  beforeAll(async () => {
    f = await startSystemCluster<ZookeeperCluster>(zookeeperSystem, 3, { heartbeatMs: 100, electionMs: 1000, preVote: false });
    for (const n of f.cluster.nodes) pids.push(f.cluster.pid(n)!);
  }, 90_000);
  afterAll(async () => {
    // A cluster that did not start has nothing to check here; the start's own error is the failure.
    if (f === undefined) return;
    const dir = `${f.cluster.clock ? (f.cluster as unknown as { clocks: { dir: string } }).clocks.dir : ''}`;
    await f.close();
    expect(leaks(f, dir, pids)).toEqual([]);
  }, 60_000);

  /** The node's own time: the stamp ZooKeeper writes on the log line of a srvr we send it now, minus real time. */
  async function skewOf(node: string): Promise<number> {
    const lab = f.lab.nodes.find((n) => n.name === node)!;
    const before = Date.now();
    await fourLetter(lab.ip, lab.clientPort, 'srvr', 2000);
    const after = Date.now();
    const line = await eventually(async () => {
      const lines = readFileSync(f.cluster.logFile(node), 'utf8').trimEnd().split('\n').filter((l) => l.includes('Processing srvr command'));
      const last = lines.at(-1);
      return last && last !== lastSeen.get(node) ? last : undefined;
    }, 5000, `a srvr log line from ${node}`);
    lastSeen.set(node, line);
    return zookeeperLineTime(line)! - (before + after) / 2;
  }
  const lastSeen = new Map<string, string>();

  it('moves the log timestamps by the offset, effective on the next clock call; reset restores them', async () => {
    const node = f.cluster.nodes[0]!;
    expect(Math.abs(await skewOf(node))).toBeLessThan(1000);
    const HOUR = 3_600_000;
    await f.cluster.clock!.setClock(node, HOUR, 1);
    const bumped = await skewOf(node);
    // The srvr sent right after the change is already stamped an hour ahead: no cache delay.
    expect(Math.abs(bumped - HOUR)).toBeLessThan(1000);
    // Other nodes are untouched.
    expect(Math.abs(await skewOf(f.cluster.nodes[1]!))).toBeLessThan(1000);
    await f.cluster.clock!.resetClock(node);
    expect(Math.abs(await skewOf(node))).toBeLessThan(1000);
  }, 60_000);
});

describe.skipIf(!haveFaketime)('a rate of 2 on real antietcd followers', () => {
  const E = 2000;
  // Locks off: this suite is about the clock, and antietcd 1.3.1 with locks exits at start on "BUG: revision 1 not locked" (a resync broke the lock).
  const SETTINGS: RaftSettings = { heartbeatMs: 100, electionMs: E, preVote: false, options: { useLocks: false } };
  let f: Fixture<AntietcdCluster>;
  const pids: number[] = [];
  beforeAll(async () => {
    f = await startSystemCluster<AntietcdCluster>(antietcdSystem, 3, SETTINGS);
    for (const n of f.cluster.nodes) pids.push(f.cluster.pid(n)!);
  }, 90_000);
  afterAll(async () => {
    // A cluster that did not start has nothing to check here; the start's own error is the failure.
    if (f === undefined) return;
    const dir = (f.cluster as unknown as { clocks: { dir: string } }).clocks.dir;
    await f.close();
    expect(leaks(f, dir, pids)).toEqual([]);
  }, 60_000);

  /**
   * The leader every node follows, or undefined. Not just a majority's: a node whose vote came after the majority's
   * can stay a candidate the leader never pings (it pings its followers only), and that node's timer, not re-armed by
   * heartbeats, fires at a time unrelated to the kill (seen: 429 ms at rate 2 and 1,020 ms at rate 1, from such a node).
   */
  async function followedByAll(): Promise<string | undefined> {
    const l = await f.cluster.leader();
    const all = await Promise.all(f.cluster.nodes.map((n) => f.cluster.status(n)));
    return l !== undefined && all.every((s) => s?.leaderId === l) ? l : undefined;
  }

  /** Kills the leader and returns how long (real ms) until the first follower became a candidate. */
  async function timeToCandidate(rate: number): Promise<number> {
    let leader: string;
    let followers: string[];
    for (;;) {
      leader = await eventually(followedByAll, 20_000, 'a leader every node follows');
      followers = f.cluster.nodes.filter((n) => n !== leader);
      for (const n of followers) await f.cluster.clock!.setClock(n, 0, rate);
      // Let a heartbeat re-arm the followers' election timers under the new rate.
      await new Promise((r) => setTimeout(r, 300));
      // An election in those 300 ms (antietcd starts one when a peer connection opens, as late reconnects after a
      // start do) would make the kill hit a follower and time the new leader's expiry: pick the leader again.
      if ((await followedByAll()) === leader) break;
    }
    const killedAt = Number(process.hrtime.bigint() - f.t0);
    await f.cluster.kill(leader);
    const first = await eventually(async () => {
      const c = (await f.cluster.elections()).find((e) => e.event === 'candidate' && e.time > killedAt && followers.includes(e.node));
      return c?.time;
    }, 4 * E, 'a candidate');
    await f.cluster.restart(leader);
    pids.push(f.cluster.pid(leader)!);
    await f.cluster.waitHealthy(20_000);
    return (first - killedAt) / 1e6;
  }

  it('halves the time to the election timeout ([E, 2E] → [E/2, E]); reset restores it', async () => {
    // TinyRaft arms a follower's timer at 2·hb + E + U(0, E) after each heartbeat: real time at rate 1, half at rate 2.
    const normal = [await timeToCandidate(1), await timeToCandidate(1)];
    const fast = [await timeToCandidate(2), await timeToCandidate(2), await timeToCandidate(2)];
    for (const n of f.cluster.nodes) await f.cluster.clock!.resetClock(n);
    const reset = [await timeToCandidate(1)];
    console.log(`time to candidate (ms): rate 1 ${normal.map(Math.round)}, rate 2 ${fast.map(Math.round)}, after reset ${reset.map(Math.round)}`);
    // One sample is not the timer alone: it is measured from the kill while the timer ran from the last heartbeat
    // (late on a loaded machine), and antietcd also starts an election whenever a peer connection opens (seen:
    // 325 ms and 687 ms at rate 2, 1,300 ms at rate 1). So each sample is only bounded above, and the halving is
    // asserted on the medians (expected ratio 0.5).
    for (const t of [...normal, ...reset]) expect(t).toBeLessThan(2.2 * E + 500);
    for (const t of fast) expect(t).toBeLessThan(1.1 * E + 250);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    expect(median(fast) / median([...normal, ...reset])).toBeLessThan(0.75);
  }, 150_000);
});
