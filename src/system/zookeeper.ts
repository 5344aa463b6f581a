// The ZooKeeper system (Debian zookeeper 3.8, ZAB): one QuorumPeerMain JVM per node with its own zoo.cfg,
// leader and epoch from the srvr/mntr four-letter words, an election timeline from its log4j log, and clock
// control through libfaketime (the JVM reads time through libc).
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Client } from '../client/client.js';
import { ZookeeperClient } from '../client/zookeeper.js';
import { ZkError, ZkSession } from '../client/zookeeper-session.js';
import type { PortPlan } from '../lab/lab.js';
import { makeDirs } from '../util/dirs.js';
import { envError } from '../util/errors.js';
import { findBinary } from './etcd.js';
import { clocksFor, type FaketimeClocks, faketimeMissing, libfaketime } from './faketime.js';
import { ProcessCluster, type LaunchSpec, type NodeProcess } from './process-cluster.js';
import type { ClientOptions } from '../client/client.js';
import type { Capability, ClockControl, Cluster, ClusterOptions, ElectionEvent, NodeStatus, RaftSettings, System, SystemOption } from './system.js';
import { fourLetter, parseMntr, parseSrvr, type Srvr } from './zookeeper-4lw.js';
import { log4jProperties, serverId, zkTiming, zooCfg } from './zookeeper-config.js';
import { parseZookeeperLog, zookeeperLineTime } from './zookeeper-log.js';

const LOG_NAME = 'zookeeper.log';
const INSTALL = 'apt-get install zookeeper';
const HINT = `install it (Debian/Ubuntu: ${INSTALL}; it brings a JRE) or pass --bin DIR|PATH to zookeeper.jar`;
/** Debian's jar directory: zookeeper.jar names its dependencies in its manifest; the log4j binding is added. */
const JAVA_DIR = '/usr/share/java';
const LOG_JARS = ['slf4j-log4j12.jar', 'log4j-1.2.jar'];
const MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

const OPTIONS: readonly SystemOption[] = [
  { name: 'syncReads', flag: 'sync-reads', type: 'boolean', default: true, summary: 'sync before every read on the same session (ZooKeeper\'s documented way to read recent data); off reads the connected server\'s local state' },
];

/** zookeeper.jar and its version (from the versioned jar beside it, as Debian installs both). */
function findJar(binPath?: string): { jar: string; version: string } | undefined {
  const jar = binPath === undefined ? join(JAVA_DIR, 'zookeeper.jar') : existsSync(binPath) && statSync(binPath).isDirectory() ? join(binPath, 'zookeeper.jar') : binPath;
  if (!existsSync(jar) || !statSync(jar).isFile()) return undefined;
  const named = /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(basename(jar));
  if (named) return { jar, version: named[1]! };
  const size = statSync(jar).size;
  for (const f of readdirSync(dirname(jar))) {
    const m = /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(f);
    if (m && statSync(join(dirname(jar), f)).size === size) return { jar, version: m[1]! };
  }
  return undefined;
}

export class ZookeeperSystem implements System {
  readonly name = 'zookeeper';
  readonly summary = 'ZooKeeper (Debian zookeeper, JVM): ZAB, linearizable writes, reads served by the connected server (sync first by default)';
  readonly installHint = INSTALL;
  /** A partition must cut both peer ports: quorum (leader ↔ followers) and election (FastLeaderElection). */
  readonly ports: PortPlan = { ports: { client: 2181, quorum: 2888, election: 3888 }, peer: ['quorum', 'election'] };
  readonly options = OPTIONS;
  readonly logName = LOG_NAME;
  readonly metricsNote = 'ZooKeeper has no Raft metrics: mntr counters are not sampled';

  get capabilities(): ReadonlySet<Capability> {
    return new Set<Capability>(['election-log', ...(libfaketime() ? (['clock'] as const) : [])]);
  }

  missing(cap: Capability): string | undefined {
    switch (cap) {
      case 'election-log':
        return undefined;
      case 'clock':
        return faketimeMissing('zookeeper');
      case 'metrics':
        return this.metricsNote;
      case 'membership':
        return 'faultline runs ZooKeeper with a static ensemble (reconfigEnabled=false): no membership changes';
      case 'transfer':
        return 'ZooKeeper has no leader-transfer API';
    }
  }

  checkSettings(s: RaftSettings): string[] {
    const problems: string[] = [];
    if (s.heartbeatMs < 10) problems.push(`heartbeat ${s.heartbeatMs} ms is below 10 ms: ZooKeeper's tickTime (= heartbeat) would make its pings a busy loop`);
    if (s.electionMs < 2 * s.heartbeatMs) problems.push(`election timeout ${s.electionMs} ms must be at least 2 × heartbeat ${s.heartbeatMs} ms (syncLimit = election / tickTime must be ≥ 2 ticks)`);
    if (s.preVote) problems.push('ZooKeeper (FastLeaderElection) has no pre-vote: use --pre-vote off');
    return problems;
  }

  async detect(binPath?: string): Promise<{ version: string; bin: string }> {
    const java = findBinary('java');
    const found = findJar(binPath);
    if (!found) throw envError(`zookeeper not found ${binPath !== undefined ? `at ${binPath}` : `in ${JAVA_DIR}`}: ${HINT}`);
    if (!java) throw envError(`java not found on PATH (ZooKeeper needs a JRE): ${INSTALL}`);
    const dir = dirname(found.jar);
    const missing = LOG_JARS.filter((j) => !existsSync(join(dir, j)) && !existsSync(join(JAVA_DIR, j)));
    if (missing.length > 0) throw envError(`zookeeper's log binding ${missing.join(', ')} not found beside ${found.jar}: ${INSTALL}`);
    return { version: found.version, bin: found.jar };
  }

  async createCluster(options: ClusterOptions): Promise<ZookeeperCluster> {
    const { bin, version } = await this.detect(options.binPath);
    if (options.lab.nodes.length === 0) await options.lab.up();
    return new ZookeeperCluster(options, bin, version);
  }

  createClient(options: ClientOptions): Client {
    return new ZookeeperClient(options);
  }

  parseElections(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
    return parseZookeeperLog(text, node, t0EpochMs);
  }

  lineTime(line: string): number | undefined {
    return zookeeperLineTime(line);
  }
}

export class ZookeeperCluster extends ProcessCluster implements Cluster {
  readonly system = 'zookeeper';
  private readonly clocks: FaketimeClocks | undefined;
  readonly clock?: ClockControl;
  private readonly java: string;
  /** The leader found last (followers' srvr does not name theirs). */
  private lastLeader: string | undefined;

  constructor(opts: ClusterOptions, jar: string, version: string) {
    super(opts, jar, version, LOG_NAME);
    this.addNodes(() => ({}));
    this.java = findBinary('java') ?? 'java';
    const lib = libfaketime();
    // On this machine (host, netns) or on the nodes' hosts (ssh: control file and shm there, see faketime.ts).
    this.clocks = clocksFor(opts.lab, lib);
    if (this.clocks) this.clock = this.clocks;
  }

  /** zk://ip:port; ?reads=local when the run's syncReads is off (the client reads it: ClientOptions has no system options). */
  override clientUrl(node: string): string {
    const n = this.node(node).lab;
    const sync = this.opts.settings.options?.['syncReads'] ?? true;
    return `zk://${n.ip}:${n.clientPort}${sync ? '' : '?reads=local'}`;
  }

  private classpath(): string {
    const dir = dirname(this.bin);
    return [this.bin, ...LOG_JARS.map((j) => (existsSync(join(dir, j)) ? join(dir, j) : join(JAVA_DIR, j)))].join(':');
  }

  protected launchSpec(s: NodeProcess): LaunchSpec {
    const n = s.lab;
    const cfg = join(s.dir, 'zoo.cfg');
    const log4j = join(s.dir, 'log4j.properties');
    writeFileSync(cfg, zooCfg(n, this.opts.lab.nodes, s.dataDir, this.opts.settings));
    writeFileSync(log4j, log4jProperties(this.logFile(n.name)));
    const t = zkTiming(this.opts.settings);
    const args = [
      // Small heap, serial GC and C1 only: three to five JVMs share two cores with the clients.
      '-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      // No hsperfdata files in /tmp (they would outlive a SIGKILL and belong to nobody's run).
      '-XX:-UsePerfData',
      '-Djava.net.preferIPv4Stack=true',
      '-Duser.timezone=UTC',
      `-Dlog4j.configuration=file:${log4j}`,
      '-Dzookeeper.jmx.log4j.disable=true',
      '-Dzookeeper.admin.enableServer=false',
      `-Dzookeeper.cnxTimeout=${t.cnxTimeoutMs}`,
      '-cp', this.classpath(),
      MAIN, cfg,
      ...(this.opts.settings.extraFlags ?? []),
    ];
    const spec: LaunchSpec = { bin: this.java, args };
    return this.clocks ? this.clocks.wrap(n.name, spec) : spec;
  }

  protected override prepareDir(s: NodeProcess): void {
    super.prepareDir(s);
    makeDirs(s.dataDir);
    writeFileSync(join(s.dataDir, 'myid'), `${serverId(this.opts.lab.nodes, s.lab.name)}\n`);
    const uid = s.lab.uid;
    if (uid !== undefined) for (const p of [s.dataDir, join(s.dataDir, 'myid')]) chownSync(p, uid, uid);
  }

  protected override launched(s: NodeProcess, child: ChildProcess, exited: Promise<void>): void {
    this.clocks?.launched(s.lab.name, child, exited);
  }

  protected override afterTeardown(): void {
    this.clocks?.teardown();
  }

  private word(node: string, word: string, timeoutMs: number): Promise<string> {
    const n = this.node(node).lab;
    return fourLetter(n.ip, n.clientPort, word, timeoutMs);
  }

  private async srvr(node: string, timeoutMs = 1000): Promise<Srvr | undefined> {
    const s = this.node(node);
    if (!this.alive(s) || s.paused) return undefined;
    try {
      return parseSrvr(await this.word(node, 'srvr', timeoutMs));
    } catch {
      return undefined;
    }
  }

  protected answers(node: string): Promise<boolean> {
    return this.word(node, 'ruok', 500).then((r) => r.startsWith('imok'), () => false);
  }

  protected async probeWrite(leader: string): Promise<void> {
    const n = this.node(leader).lab;
    const session = new ZkSession(`${n.ip}:${n.clientPort}`, 10_000);
    try {
      await session.connected(3000);
      const data = Buffer.from(String(Date.now()));
      try {
        await session.setData('/faultline-health', data, -1, 2000);
      } catch (e) {
        if (!(e instanceof ZkError) || e.code !== 'NO_NODE') throw e;
        await session.create('/faultline-health', data, 2000);
      }
    } finally {
      session.close();
    }
  }

  /** Epoch as the term, the zxid counter as the index; a follower names the leader found last. */
  async status(node: string): Promise<NodeStatus | undefined> {
    const r = await this.srvr(node);
    if (!r) return undefined;
    const st: NodeStatus = { node, memberId: node, raftTerm: r.epoch, raftIndex: r.counter };
    if (r.mode === 'leader') st.leaderId = node;
    else if (r.mode === 'follower' && this.lastLeader) st.leaderId = this.lastLeader;
    return st;
  }

  /**
   * The leader a majority follows: a node in leader mode whose mntr counts enough synced followers to make a
   * quorum with itself (an isolated old leader keeps saying "leader" until syncLimit ticks pass, but its synced
   * followers are gone). Among several, the highest epoch.
   */
  async leader(): Promise<string | undefined> {
    const quorum = Math.floor(this.nodes.length / 2) + 1;
    const modes = await Promise.all(this.nodes.map(async (n) => ({ n, r: await this.srvr(n) })));
    const leaders = modes.filter((m) => m.r?.mode === 'leader').sort((a, b) => b.r!.epoch - a.r!.epoch);
    for (const { n } of leaders) {
      try {
        const m = parseMntr(await this.word(n, 'mntr', 1000));
        const synced = Number(m['zk_synced_followers'] ?? 0);
        if (synced + 1 >= quorum) {
          this.lastLeader = n;
          return n;
        }
      } catch {
        // Not answering: not the leader a client can use.
      }
    }
    return undefined;
  }

  elections(): Promise<ElectionEvent[]> {
    return Promise.resolve(this.timelineFrom(parseZookeeperLog));
  }
}

/** What the system registry lists. */
export const zookeeperSystem = new ZookeeperSystem();
