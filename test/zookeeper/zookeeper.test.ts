// ZooKeeper as a system: parsers and settings mapping (pure), then real 3-node ensembles (Debian zookeeper 3.8)
// on the host lab and (as root) the netns lab: leader and epoch, election log, client ops (sync reads, cas,
// versioned refusals), pause, kill/restart, a partition cutting both peer ports, slow fsync on the JVM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZookeeperClient } from '../../src/client/zookeeper.js';
import type { Completion, Op } from '../../src/history/op.js';
import { definitions as fsyncDefs } from '../../src/nemesis/slow-fsync.js';
import type { NemesisContext } from '../../src/nemesis/nemesis.js';
import { settingsFor } from '../../src/system/index.js';
import type { RaftSettings } from '../../src/system/system.js';
import { parseMntr, parseSrvr } from '../../src/system/zookeeper-4lw.js';
import { zkTiming, zooCfg } from '../../src/system/zookeeper-config.js';
import { parseZookeeperLog } from '../../src/system/zookeeper-log.js';
import { zookeeperSystem, type ZookeeperCluster } from '../../src/system/zookeeper.js';
import { startSystemCluster, type Fixture } from '../system/fixture.js';
import { eventually } from '../support/process.js';

const root = process.getuid?.() === 0;
const FAST: RaftSettings = { heartbeatMs: 100, electionMs: 1000, preVote: false };
let installed = true;
try {
  await zookeeperSystem.detect();
} catch {
  installed = false;
}

const op = (f: string, key: string, value: Op['value'], node: string): Op => ({ index: 0, time: 0, process: 0, type: 'invoke', f, key, value, node }) as Op;

describe('zookeeper parsers and settings (pure)', () => {
  it('srvr gives mode, epoch and counter; mntr gives numbers', () => {
    const s = parseSrvr('Zookeeper version: 3.8.0\nZxid: 0x30000002a\nMode: leader\nNode count: 5\n');
    expect(s).toMatchObject({ mode: 'leader', epoch: 3, counter: 42 });
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n').mode).toBeUndefined();
    expect(parseMntr('zk_server_state\tleader\nzk_synced_followers\t2\n')).toEqual({ zk_server_state: 'leader', zk_synced_followers: 2 });
  });

  it('the election timeline: LOOKING, LEADING with the epoch of its zxid, FOLLOWING with peerEpoch + 1', () => {
    const log = [
      '2026-12-01 10:00:00,100 INFO  [QuorumPeer[myid=1]:QuorumPeer@1455] - LOOKING',
      '2026-12-01 10:00:00,150 INFO  [WorkerReceiver[myid=1]:FastLeaderElection$Messenger$WorkerReceiver@391] - Notification: my state:LOOKING; n.sid:2, n.state:LOOKING, n.leader:2, n.round:0x1, n.peerEpoch:0x4, n.zxid:0x0',
      '2026-12-01 10:00:00,300 INFO  [QuorumPeer[myid=1]:QuorumPeer@1549] - LEADING',
      '2026-12-01 10:00:00,310 INFO  [QuorumPeer[myid=1]:Leader@588] - LEADING - LEADER ELECTION TOOK - 200 MS',
      '2026-12-01 10:00:00,400 INFO  [QuorumPeer[myid=1]:Leader@1519] - Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x500000000',
      '2026-12-01 10:00:02,000 INFO  [QuorumPeer[myid=1]:QuorumPeer@1537] - FOLLOWING',
    ].join('\n');
    const ev = parseZookeeperLog(log, 'n1', Date.UTC(2026, 11, 1, 10, 0, 0));
    expect(ev.map((e) => [e.event, e.term, e.time])).toEqual([
      ['candidate', 1, 100e6],
      ['leader', 5, 300e6],
      ['follower', 5, 2000e6],
    ]);
  });

  it('maps heartbeat/election onto tickTime/syncLimit/initLimit; refuses pre-vote; zoo.cfg names both peer ports', () => {
    expect(zkTiming(FAST)).toEqual({ tickTime: 100, syncLimit: 10, initLimit: 100, cnxTimeoutMs: 1000 });
    expect(zkTiming({ heartbeatMs: 500, electionMs: 5000, preVote: false })).toMatchObject({ tickTime: 500, syncLimit: 10, initLimit: 20 });
    expect(zookeeperSystem.checkSettings({ ...FAST, preVote: true })).toEqual(['ZooKeeper (FastLeaderElection) has no pre-vote: use --pre-vote off']);
    expect(zookeeperSystem.checkSettings({ heartbeatMs: 100, electionMs: 150, preVote: false })[0]).toMatch(/at least 2 × heartbeat/);
    expect(settingsFor(zookeeperSystem, FAST).options).toEqual({ syncReads: true });
    const nodes = [1, 2, 3].map((i) => ({ name: `n${i}`, ip: `10.0.0.${i}`, clientPort: 2181, ports: { client: 2181, quorum: 2888, election: 3888 }, peerPorts: [2888, 3888] }));
    const cfg = zooCfg(nodes[1]!, nodes, '/d', FAST);
    expect(cfg).toContain('server.3=10.0.0.3:2888:3888');
    expect(cfg).toContain('clientPortAddress=10.0.0.2');
    expect(cfg).toContain('admin.enableServer=false');
    expect(cfg).toMatch(/4lw\.commands\.whitelist=.*srvr.*mntr/);
    expect(zookeeperSystem.ports.peer).toEqual(['quorum', 'election']);
  });
});

/** The checks every lab shares: leader/epoch, log timeline, client semantics. */
function ensembleChecks(get: () => Fixture<ZookeeperCluster>): void {
  it('a leader a majority follows, its epoch, an election timeline from the logs', async () => {
    const f = get();
    const leader = await f.cluster.leader();
    expect(f.cluster.nodes).toContain(leader);
    const st = await f.cluster.status(leader!);
    expect(st?.leaderId).toBe(leader);
    expect(st!.raftTerm).toBeGreaterThanOrEqual(1);
    const ev = await f.cluster.elections();
    expect(ev.some((e) => e.event === 'leader' && e.node === leader)).toBe(true);
    // A majority (the leader and one follower) is enough to be healthy; the third server may still be syncing,
    // so its FOLLOWING line can come a moment later.
    const followers = await eventually(async () => {
      const n = (await f.cluster.elections()).filter((e) => e.event === 'follower').length;
      return n >= 2 ? n : undefined;
    }, 15_000, 'both followers in the timeline');
    expect(followers).toBeGreaterThanOrEqual(2);
  });

  it('client: write creates, sync read sees it on every node, cas succeeds, a failed compare is ok/succeeded:false', async () => {
    const f = get();
    const c = new ZookeeperClient({ timeoutMs: 3000, localReads: false, connectionsPerNode: 1 });
    try {
      for (const n of f.cluster.nodes) await c.open(n, f.cluster.clientUrl(n));
      const [a, b] = f.cluster.nodes as [string, string];
      const key = `k-${Date.now()}`;
      expect(await c.invoke(op('read', key, null, a))).toEqual({ type: 'ok', value: null });
      expect(await c.invoke(op('write', key, 1, a))).toEqual({ type: 'ok', value: 1 });
      for (const n of f.cluster.nodes) expect(await c.invoke(op('read', key, null, n))).toEqual({ type: 'ok', value: 1 });
      expect(await c.invoke(op('cas', key, [1, 2], b))).toEqual({ type: 'ok', value: [1, 2] });
      expect(await c.invoke(op('cas', key, [1, 3], a))).toEqual({ type: 'ok', value: [1, 3], succeeded: false });
      expect(await c.invoke(op('read', key, null, b))).toEqual({ type: 'ok', value: 2 });
      // cas on an absent register from null creates it.
      expect(await c.invoke(op('cas', `${key}-new`, [null, 7], a))).toEqual({ type: 'ok', value: [null, 7] });
      expect(await c.invoke(op('read', `${key}-new`, null, b))).toEqual({ type: 'ok', value: 7 });
    } finally {
      await c.close();
    }
  });
}

describe.skipIf(!installed)('zookeeper 3-node ensemble on the host lab', () => {
  let f: Fixture<ZookeeperCluster>;
  beforeAll(async () => {
    f = await startSystemCluster<ZookeeperCluster>(zookeeperSystem, 3, FAST);
  }, 90_000);
  afterAll(async () => {
    await f?.close();
  }, 60_000);

  ensembleChecks(() => f);

  it('pause of the leader: the others elect a new one with a higher epoch; resume rejoins', async () => {
    const old = (await f.cluster.leader())!;
    const epoch = (await f.cluster.status(old))!.raftTerm;
    await f.cluster.pause(old);
    try {
      const next = await eventually(async () => {
        const l = await f.cluster.leader();
        return l && l !== old ? l : undefined;
      }, 20_000, 'a new leader');
      // The epoch shows in the zxid once the new leader has written (the health probe does).
      await f.cluster.waitHealthy(10_000);
      expect((await f.cluster.status(next))!.raftTerm).toBeGreaterThan(epoch);
    } finally {
      await f.cluster.resume(old);
    }
    await eventually(async () => ((await f.cluster.status(old))?.leaderId !== undefined || (await f.cluster.leader()) !== undefined ? true : undefined), 20_000, 'rejoin');
  }, 60_000);

  it('kill and restart a follower with its data: it rejoins and serves the data written meanwhile', async () => {
    const leader = (await f.cluster.leader())!;
    const victim = f.cluster.nodes.find((n) => n !== leader)!;
    await f.cluster.kill(victim);
    expect(f.cluster.isRunning(victim)).toBe(false);
    const c = new ZookeeperClient({ timeoutMs: 3000, localReads: false, connectionsPerNode: 1 });
    try {
      await c.open(leader, f.cluster.clientUrl(leader));
      await c.open(victim, f.cluster.clientUrl(victim));
      // The session to the leader may still be connecting: the write is retried until acknowledged (this test
      // is about the restarted follower catching up, not about the first request's latency).
      await eventually(async () => ((await c.invoke(op('write', 'during-kill', 5, leader))).type === 'ok' ? true : undefined), 20_000, 'the write during the kill');
      await f.cluster.restart(victim);
      const read = await eventually(async () => {
        const r: Completion = await c.invoke(op('read', 'during-kill', null, victim));
        return r.type === 'ok' ? r : undefined;
      }, 20_000, 'a read on the restarted node');
      expect(read.value).toBe(5);
    } finally {
      await c.close();
    }
    await f.cluster.waitHealthy(30_000);
  }, 90_000);

  it.skipIf(!root)('slow fsync: strace on the JVM delays its fdatasync and with it every write', async () => {
    await f.cluster.waitHealthy(30_000);
    const leader = (await f.cluster.leader())!;
    const ctx: NemesisContext = { lab: f.lab, cluster: f.cluster, system: zookeeperSystem, runDir: f.runDir, random: () => 0.5 };
    const n = fsyncDefs.find((d) => d.name === 'slow-fsync')!.create({ target: 'all', delayMs: 150 });
    const c = new ZookeeperClient({ timeoutMs: 5000, localReads: false, connectionsPerNode: 1 });
    await n.setup(ctx);
    try {
      await c.open(leader, f.cluster.clientUrl(leader));
      expect((await c.invoke(op('write', 'slow', 0, leader))).type).toBe('ok');
      const fast = performance.now();
      await c.invoke(op('write', 'slow', 1, leader));
      const before = performance.now() - fast;
      await n.invoke('start-slow-fsync', undefined);
      const t = performance.now();
      expect((await c.invoke(op('write', 'slow', 2, leader))).type).toBe('ok');
      const slow = performance.now() - t;
      // A quorum write waits for the leader's and a follower's log fsync: at least one delay.
      expect(slow).toBeGreaterThan(150);
      expect(slow).toBeGreaterThan(before + 100);
    } finally {
      await c.close();
      await n.teardown();
    }
  }, 60_000);
});

describe.skipIf(!installed || !root)('zookeeper in the netns lab', () => {
  let f: Fixture<ZookeeperCluster>;
  beforeAll(async () => {
    f = await startSystemCluster<ZookeeperCluster>(zookeeperSystem, 3, FAST, 'netns');
  }, 90_000);
  afterAll(async () => {
    await f?.close();
  }, 60_000);

  ensembleChecks(() => f);

  it('a partition cuts both peer ports: the isolated leader stops serving, the majority elects; heal rejoins', async () => {
    const old = (await f.cluster.leader())!;
    const others = f.cluster.nodes.filter((n) => n !== old);
    await f.lab.net.partition({ [old]: others, ...Object.fromEntries(others.map((o) => [o, [old]])) });
    try {
      const next = await eventually(async () => {
        const l = await f.cluster.leader();
        return l && l !== old ? l : undefined;
      }, 20_000, 'a leader in the majority');
      expect(others).toContain(next);
      // Election traffic is cut too: the isolated node cannot rejoin or win, it stays LOOKING.
      await eventually(async () => ((await f.cluster.status(old))?.leaderId === undefined ? true : undefined), 15_000, 'the old leader to stop leading');
    } finally {
      await f.lab.net.heal();
    }
    await eventually(async () => ((await f.cluster.status(old))?.leaderId !== undefined ? true : undefined), 30_000, 'the old leader to rejoin');
  }, 90_000);
});
