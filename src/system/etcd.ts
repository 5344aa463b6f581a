// The etcd system: finds the binaries, starts/kills/pauses a cluster's nodes in a lab, and reads its leader,
// membership, election timeline and metrics.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { JsonlWriter } from '../history/jsonl-writer.js';
import { join } from 'node:path';
import { isExecutable, onPath, runCommand, sleep } from '../lab/exec.js';
import type { LabNode } from '../lab/lab.js';
import { nodeMetrics } from '../results/layout.js';
import { ProcessCluster, type LaunchSpec, type NodeProcess } from './process-cluster.js';
import { envError } from '../util/errors.js';
import { EtcdClient, ETCD_DIALECT } from '../client/etcd.js';
import type { Client, ClientOptions } from '../client/client.js';
import type { PortPlan } from '../lab/lab.js';
import * as api from './etcd-api.js';
import { parseEtcdLog } from './etcd-log.js';
import { toSample } from './etcd-metrics.js';
import type {
  Capability,
  Cluster,
  ClusterOptions,
  ElectionEvent,
  LeaderTransfer,
  MemberInfo,
  Membership,
  MetricsSample,
  MetricsSource,
  NodeStatus,
  RaftSettings,
  System,
  SystemOption,
} from './system.js';

export const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install etcd-server etcd-client) or pass --bin DIR|PATH';

const LOG_NAME = 'etcd.log';
/** zap's wall-clock time field. */
const ZAP_TS = /"ts":"([^"]+)"/;

/**
 * Why one etcd node's clock cannot be skewed in a lab on one kernel. Not a missing feature of ours: every
 * mechanism that exists either misses Go programs or cannot express a skew.
 */
const NO_CLOCK =
  'clock faults cannot reach etcd on one kernel: etcd (Go) reads time through the vDSO, which libfaketime does not ' +
  'intercept; time namespaces give only a fixed monotonic offset set at start (no realtime offset, no rate); and ' +
  'changing the host clock would skew every node at once (faultline never does). Use antietcd or zookeeper, whose ' +
  'clocks libfaketime reaches, or nodes on separate machines';

/** `--etcd-bin` may name the binary or its directory; otherwise PATH is searched. */
export function findBinary(name: string, binPath?: string): string | undefined {
  if (binPath !== undefined) {
    const candidate = existsSync(binPath) && statSync(binPath).isDirectory() ? join(binPath, name) : binPath;
    return isExecutable(candidate) ? candidate : undefined;
  }
  return onPath(name);
}

export class EtcdSystem implements System {
  readonly name = 'etcd';
  readonly summary = 'etcd (Debian etcd-server): Raft, linearizable reads by default';
  readonly installHint = 'apt-get install etcd-server etcd-client';
  /** Metrics on a port of their own, so a slow /metrics never queues behind clients. */
  readonly ports: PortPlan = { ports: { client: 2379, peer: 2380, metrics: 2381 }, peer: ['peer'] };
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['membership', 'transfer', 'metrics', 'election-log']);
  readonly options: readonly SystemOption[] = [];
  readonly logName = LOG_NAME;

  missing(cap: Capability): string | undefined {
    if (this.capabilities.has(cap)) return undefined;
    return cap === 'clock' ? NO_CLOCK : `etcd has no ${cap}`;
  }

  checkSettings(s: RaftSettings): string[] {
    const problems: string[] = [];
    // etcd's own rules (server/config.go): it refuses to start otherwise.
    if (s.electionMs < 5 * s.heartbeatMs) problems.push(`election timeout ${s.electionMs} ms must be at least 5 × heartbeat ${s.heartbeatMs} ms (etcd refuses to start otherwise)`);
    if (s.electionMs > 50_000) problems.push(`election timeout ${s.electionMs} ms is above etcd's maximum of 50000 ms`);
    return problems;
  }

  parseElections(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
    return parseEtcdLog(text, node, t0EpochMs);
  }

  lineTime(line: string): number | undefined {
    const m = ZAP_TS.exec(line);
    if (!m) return undefined;
    const ms = Date.parse(m[1]!);
    return Number.isFinite(ms) ? ms : undefined;
  }

  createClient(options: ClientOptions): Client {
    return new EtcdClient({ ...options, dialect: ETCD_DIALECT });
  }

  async detect(binPath?: string): Promise<{ version: string; bin: string }> {
    const bin = findBinary('etcd', binPath);
    if (!bin) {
      const where = binPath !== undefined ? `at ${binPath}` : 'on PATH';
      throw envError(`etcd not found ${where}: ${INSTALL_HINT}`);
    }
    const r = await runCommand(bin, ['--version'], { timeoutMs: 10_000 });
    const m = /etcd Version:\s*(\S+)/.exec(r.stdout);
    if (r.exitCode !== 0 || !m) throw envError(`${bin} --version failed (${r.stderr.trim().split('\n')[0] ?? r.exitCode}): ${INSTALL_HINT}`);
    return { version: m[1]!, bin };
  }

  async createCluster(options: ClusterOptions): Promise<EtcdCluster> {
    const { bin, version } = await this.detect(options.binPath);
    if (options.lab.nodes.length === 0) await options.lab.up();
    return new EtcdCluster(options, bin, version);
  }
}

interface EtcdNode extends NodeProcess {
  clusterState: 'new' | 'existing';
  initialCluster: string;
}

export class EtcdCluster extends ProcessCluster<EtcdNode> implements Cluster, Membership, LeaderTransfer, MetricsSource {
  readonly system = 'etcd';
  readonly membership: Membership = this;
  readonly transfer: LeaderTransfer = this;
  readonly metrics: MetricsSource = this;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private samples: MetricsSample[] = [];
  /** nodes/<n>/metrics.jsonl per node, opened with the first sample. */
  private readonly metricsFiles = new Map<string, Promise<JsonlWriter<MetricsSample>>>();

  constructor(opts: ClusterOptions, bin: string, version: string) {
    super(opts, bin, version, LOG_NAME);
    const initialCluster = opts.lab.nodes.map((n) => `${n.name}=${peerUrl(n)}`).join(',');
    this.addNodes(() => ({ clusterState: 'new', initialCluster }));
  }

  metricsUrl(node: string): string {
    const n = this.node(node).lab;
    return `http://${n.ip}:${n.ports['metrics']}`;
  }

  protected launchSpec(s: EtcdNode): LaunchSpec {
    const n = s.lab;
    const st = this.opts.settings;
    const client = `http://${n.ip}:${n.clientPort}`;
    const args = [
      '--name', n.name,
      '--data-dir', s.dataDir,
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peerUrl(n),
      '--initial-advertise-peer-urls', peerUrl(n),
      '--initial-cluster', s.initialCluster,
      '--initial-cluster-state', s.clusterState,
      '--initial-cluster-token', `fl-${this.opts.lab.runId}`,
      '--heartbeat-interval', String(st.heartbeatMs),
      '--election-timeout', String(st.electionMs),
      `--pre-vote=${st.preVote}`,
      '--logger', 'zap',
      '--log-outputs', this.logFile(n.name),
    ];
    const metrics = n.ports['metrics'];
    if (metrics !== undefined && metrics !== n.clientPort) args.push('--listen-metrics-urls', `http://${n.ip}:${metrics}`);
    if (st.snapshotCount !== undefined) args.push('--snapshot-count', String(st.snapshotCount));
    return { bin: this.bin, args: [...args, ...(st.extraFlags ?? [])] };
  }

  protected answers(node: string): Promise<boolean> {
    return api.status(this.clientUrl(node), 500).then(() => true, () => false);
  }

  protected async probeWrite(leader: string): Promise<void> {
    await api.put(this.clientUrl(leader), 'faultline/health', String(Date.now()), 2000);
  }

  protected override showLogLine(l: string): string {
    try {
      const j = JSON.parse(l) as { level?: string; msg?: string; error?: string };
      return `${j.level ?? ''} ${j.msg ?? ''}${j.error ? `: ${j.error}` : ''}`;
    } catch {
      return l;
    }
  }

  protected override async beforeTeardown(): Promise<void> {
    await this.stopMetrics();
  }

  async status(node: string): Promise<NodeStatus | undefined> {
    const s = this.node(node);
    if (!this.alive(s) || s.paused) return undefined;
    try {
      const st = await api.status(this.clientUrl(node), 1000);
      return { node, ...st };
    } catch {
      return undefined;
    }
  }

  /** Member ids of our nodes, learned from member lists (ids change when a node is removed and re-added). */
  private readonly idToNode = new Map<string, string>();

  private nameOfMember(m: MemberInfo): string | undefined {
    for (const s of this.state.values()) if (m.peerUrls.includes(peerUrl(s.lab))) return s.lab.name;
    return undefined;
  }

  async members(): Promise<MemberInfo[]> {
    let last: Error | undefined;
    for (const s of this.reachable()) {
      try {
        const ms = await api.memberList(this.clientUrl(s.lab.name));
        for (const m of ms) {
          const name = this.nameOfMember(m);
          if (name) this.idToNode.set(m.id, name);
        }
        return ms;
      } catch (e) {
        last = e as Error;
      }
    }
    throw new Error(`no etcd node answered member list${last ? ` (${last.message})` : ''}`);
  }

  /** The leader agreed by a majority (an isolated old leader believes in itself until check-quorum deposes it). */
  async leader(): Promise<string | undefined> {
    return this.majorityLeader(async (id) => {
      if (!this.idToNode.has(id)) await this.members().catch(() => undefined);
      return this.idToNode.get(id);
    });
  }

  private async memberId(node: string): Promise<string | undefined> {
    const ms = await this.members();
    return ms.find((m) => this.nameOfMember(m) === node)?.id;
  }

  /** A node other than `node` to send membership changes to, preferring the leader. */
  private async coordinator(node: string): Promise<string> {
    const l = await this.leader();
    if (l && l !== node) return l;
    const other = this.reachable().find((s) => s.lab.name !== node);
    if (!other) throw new Error(`no other running etcd node to change membership of ${node}`);
    return other.lab.name;
  }

  async removeMember(node: string): Promise<void> {
    const s = this.node(node);
    const id = await this.memberId(node);
    if (!id) throw new Error(`${node} is not a member of the cluster`);
    // etcd refuses ("unhealthy cluster") while the remaining members have not all been connected for
    // ~5 s (strict reconfig check), e.g. right after a restart: retry until it accepts.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await api.memberRemove(this.clientUrl(await this.coordinator(node)), id);
        break;
      } catch (e) {
        if (!/unhealthy cluster/.test((e as Error).message) || Date.now() > deadline) throw e;
        await sleep(200);
      }
    }
    s.removed = true;
    this.idToNode.delete(id);
    // A removed member shuts itself down; its data names a membership it no longer has, so wipe it.
    await this.kill(node);
    await this.opts.lab.removeNodePath(node, s.dataDir);
  }

  async addLearner(node: string): Promise<void> {
    const s = this.node(node);
    if (!s.removed && (await this.memberId(node))) throw new Error(`${node} is already a member; remove it first`);
    if (this.alive(s)) await this.kill(node);
    await this.opts.lab.removeNodePath(node, s.dataDir);
    const { members } = await api.memberAdd(this.clientUrl(await this.coordinator(node)), peerUrl(s.lab), true);
    s.initialCluster = members
      .map((m) => `${this.nameOfMember(m) ?? m.name}=${m.peerUrls[0]}`)
      .join(',');
    s.clusterState = 'existing';
    s.removed = false;
    this.launch(s);
    await this.waitAnswering(s, 15_000);
  }

  async promoteLearner(node: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const id = await this.memberId(node);
        if (!id) throw new Error(`${node} is not a member`);
        await api.memberPromote(this.clientUrl(await this.coordinator(node)), id);
        return;
      } catch (e) {
        // "can only promote a learner member which is in sync with leader": wait for it to catch up.
        if (Date.now() > deadline) throw new Error(`could not promote ${node}: ${(e as Error).message}`);
        await sleep(200);
      }
    }
  }

  async transferLeadership(to: string, timeoutMs = 10_000): Promise<void> {
    const leader = await this.leader();
    if (!leader) throw new Error('no leader to transfer leadership from');
    if (leader === to) return;
    const id = await this.memberId(to);
    if (!id) throw new Error(`${to} is not a member`);
    await api.moveLeader(this.clientUrl(leader), id);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.leader()) === to) return;
      await sleep(50);
    }
    throw new Error(`leadership did not move to ${to} within ${timeoutMs / 1000} s`);
  }

  elections(): Promise<ElectionEvent[]> {
    return Promise.resolve(this.timelineFrom(parseEtcdLog));
  }

  startMetrics(intervalMs: number): void {
    if (this.metricsTimer) return;
    const busy = new Set<string>();
    this.metricsTimer = setInterval(() => {
      for (const s of this.reachable()) {
        const name = s.lab.name;
        if (busy.has(name)) continue; // a slow node must not pile up requests
        busy.add(name);
        const p = api
          .fetchMetrics(this.metricsUrl(name), Math.max(200, intervalMs))
          .then((text) => {
            const sample = toSample(text, name, Number(process.hrtime.bigint() - this.opts.t0));
            this.samples.push(sample);
            let file = this.metricsFiles.get(name);
            if (!file) this.metricsFiles.set(name, (file = JsonlWriter.open<MetricsSample>(nodeMetrics(this.opts.runDir, name))));
            return file.then((f) => f.append(sample));
          })
          .catch(() => undefined)
          .finally(() => {
            busy.delete(name);
            this.inflight.delete(p);
          });
        this.inflight.add(p);
      }
    }, intervalMs);
  }

  async stopMetrics(): Promise<MetricsSample[]> {
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    this.metricsTimer = undefined;
    await Promise.all([...this.inflight]);
    const files = [...this.metricsFiles.values()];
    this.metricsFiles.clear();
    await Promise.all(files.map((f) => f.then((w) => w.close()).catch(() => undefined)));
    const out = this.samples;
    this.samples = [];
    return out;
  }
}

export function peerUrl(n: LabNode): string {
  return `http://${n.ip}:${n.ports['peer']}`;
}

/** What the system registry lists; one line per system. */
export const etcdSystem = new EtcdSystem();
