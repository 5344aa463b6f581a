// The antietcd system (npm antietcd: TinyRaft leader election, etcd v3 REST subset): the embedded default when
// etcd is not installed. Finds the package, starts `node antietcd-app.js` per node, reads leader and term.
import { chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Client } from '../client/client.js';
import { EtcdClient } from '../client/etcd.js';
import type { PortPlan } from '../lab/lab.js';
import { makeDirs } from '../util/dirs.js';
import { envError } from '../util/errors.js';
import { ANTIETCD_DIALECT } from './antietcd-dialect.js';
import { parseAntietcdLog, stampedTime } from './antietcd-log.js';
import * as api from './etcd-api.js';
import { clocksFor, type FaketimeClocks, faketimeMissing, libfaketime } from './faketime.js';
import { ProcessCluster, type LaunchSpec, type NodeProcess } from './process-cluster.js';
import type { ChildProcess } from 'node:child_process';
import type { ClientOptions } from '../client/client.js';
import type { Capability, ClockControl, Cluster, ClusterOptions, ElectionEvent, NodeStatus, RaftSettings, System, SystemOption } from './system.js';

const LOG_NAME = 'antietcd.log';
const APP = 'antietcd-app.js';
const HINT = 'npm install (antietcd is a dependency of faultline), or pass --bin PATH to antietcd-app.js';

/** Its consistency and durability switches, as antietcd names them (`--stale_read` ...), with its defaults. */
const OPTIONS: readonly SystemOption[] = [
  { name: 'staleRead', flag: 'stale-read', type: 'boolean', default: true, summary: 'followers answer reads from their local state (antietcd --stale_read; default on, as antietcd)' },
  { name: 'persistIntervalMs', flag: 'persist-interval', type: 'integer', default: 0, min: 0, summary: 'persist on a timer every MS (not awaited by writes) instead of fsync + rename on every change (0, the default)' },
  { name: 'useLocks', flag: 'use-locks', type: 'boolean', default: true, summary: 'lock-based transaction isolation against aborted reads (antietcd --use_locks; on by default in a cluster)' },
  { name: 'leadershipTimeoutMs', flag: 'leadership-timeout', type: 'integer', default: 0, min: 0, summary: 'how long a leader keeps leading without a quorum (0: (heartbeat + election) / 2, antietcd\'s own rule)' },
];

/** Where npm put antietcd: the package's app script and version. */
function findPackage(binPath?: string): { app: string; version: string } | undefined {
  let app: string;
  if (binPath !== undefined) {
    app = existsSync(binPath) && statSync(binPath).isDirectory() ? join(binPath, APP) : binPath;
  } else {
    try {
      app = join(dirname(createRequire(import.meta.url).resolve('antietcd/package.json')), APP);
    } catch {
      return undefined;
    }
  }
  if (!existsSync(app)) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(app), 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name === 'antietcd' && pkg.version ? { app, version: pkg.version } : undefined;
  } catch {
    return undefined;
  }
}

/** antietcd's leadership timeout when not given: the numeric form of its own default (its CLI would concatenate strings). */
export function leadershipTimeout(s: RaftSettings): number {
  const given = Number(s.options?.['leadershipTimeoutMs'] ?? 0);
  return given > 0 ? given : Math.round((s.heartbeatMs + s.electionMs) / 2);
}

export class AntietcdSystem implements System {
  readonly name = 'antietcd';
  readonly summary = 'antietcd (npm, embedded): TinyRaft leader election, etcd v3 REST subset, follower reads by default';
  readonly installHint = HINT;
  /** One port serves clients and peers (websockets). */
  readonly ports: PortPlan = { ports: { client: 2379 }, peer: ['client'] };
  /** Node reads time through libc (Date, libuv timers): libfaketime reaches it when installed. */
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['election-log', ...(libfaketime() ? (['clock'] as const) : [])]);
  readonly options = OPTIONS;
  readonly logName = LOG_NAME;
  readonly metricsNote = 'no /metrics on antietcd: fsync and commit quantiles unavailable';

  missing(cap: Capability): string | undefined {
    switch (cap) {
      case 'election-log':
        return undefined;
      case 'metrics':
        return this.metricsNote;
      case 'membership':
        return 'antietcd has no membership API: its cluster is fixed by --cluster at start';
      case 'transfer':
        return 'antietcd has no leader-transfer API';
      case 'clock':
        return faketimeMissing('antietcd');
    }
  }

  checkSettings(s: RaftSettings): string[] {
    const problems: string[] = [];
    if (s.heartbeatMs >= s.electionMs) problems.push(`election timeout ${s.electionMs} ms must be above heartbeat ${s.heartbeatMs} ms (followers would start elections between heartbeats)`);
    if (s.preVote) problems.push('antietcd (TinyRaft) has no pre-vote: use --pre-vote off');
    if (s.snapshotCount !== undefined) problems.push('antietcd has no snapshot count: it persists its whole state (see --persist-interval)');
    return problems;
  }

  async detect(binPath?: string): Promise<{ version: string; bin: string }> {
    const pkg = findPackage(binPath);
    if (!pkg) throw envError(`antietcd not found ${binPath !== undefined ? `at ${binPath}` : 'in node_modules'}: ${HINT}`);
    return { version: pkg.version, bin: pkg.app };
  }

  async createCluster(options: ClusterOptions): Promise<AntietcdCluster> {
    const { bin, version } = await this.detect(options.binPath);
    if (options.lab.nodes.length === 0) await options.lab.up();
    return new AntietcdCluster(options, bin, version);
  }

  createClient(options: ClientOptions): Client {
    return new EtcdClient({ ...options, dialect: ANTIETCD_DIALECT });
  }

  parseElections(text: string, node: string, t0EpochMs: number): ElectionEvent[] {
    return parseAntietcdLog(text, node, t0EpochMs);
  }

  lineTime(line: string): number | undefined {
    return stampedTime(line);
  }
}

interface StatusReply {
  header?: { member_id?: string; revision?: number };
  leader?: string;
  raftTerm?: number;
  raftState?: string;
}

export class AntietcdCluster extends ProcessCluster implements Cluster {
  readonly system = 'antietcd';
  private readonly clocks: FaketimeClocks | undefined;
  readonly clock?: ClockControl;

  constructor(opts: ClusterOptions, app: string, version: string) {
    super(opts, app, version, LOG_NAME);
    this.addNodes(() => ({}));
    const lib = libfaketime();
    // On this machine (host, netns) or on the nodes' hosts (ssh: control file and shm there, see faketime.ts).
    this.clocks = clocksFor(opts.lab, lib);
    if (this.clocks) this.clock = this.clocks;
  }

  protected override launched(s: NodeProcess, child: ChildProcess, exited: Promise<void>): void {
    this.clocks?.launched(s.lab.name, child, exited);
  }

  protected override afterTeardown(): void {
    this.clocks?.teardown();
  }

  protected launchSpec(s: NodeProcess): LaunchSpec {
    const n = s.lab;
    const st = this.opts.settings;
    const o = st.options ?? {};
    const cluster = this.opts.lab.nodes.map((m) => `${m.name}=http://${m.ip}:${m.clientPort}`).join(',');
    const flag = (v: unknown, dflt: boolean): string => ((v ?? dflt) ? '1' : '0');
    const args = [
      this.bin,
      '--node_id', n.name,
      '--cluster_key', `fl-${this.opts.lab.runId}`,
      '--cluster', cluster,
      '--ip', n.ip,
      '--port', String(n.clientPort),
      '--data', join(s.dataDir, 'antietcd.json.gz'),
      '--heartbeat_timeout', String(st.heartbeatMs),
      '--election_timeout', String(st.electionMs),
      // Always explicit: given only the two above, antietcd adds them as strings ("100"+"1000")/2 = 500500 ms.
      '--leadership_timeout', String(leadershipTimeout(st)),
      '--stale_read', flag(o['staleRead'], true),
      '--use_locks', flag(o['useLocks'], true),
      '--logs', 'cluster',
    ];
    const interval = Number(o['persistIntervalMs'] ?? 0);
    if (interval > 0) args.push('--persist_interval', String(interval));
    // antietcd prints no times: the lab stamps each line as it arrives, which the election timeline needs.
    const spec: LaunchSpec = { bin: process.execPath, args: [...args, ...(st.extraFlags ?? [])], stampLines: true, logFile: this.logFile(n.name) };
    return this.clocks ? this.clocks.wrap(n.name, spec) : spec;
  }

  protected override prepareDir(s: NodeProcess): void {
    super.prepareDir(s);
    // antietcd writes its data file but does not create the directory holding it.
    makeDirs(s.dataDir);
    if (s.lab.uid !== undefined) chownSync(s.dataDir, s.lab.uid, s.lab.uid);
  }

  private async rawStatus(node: string, timeoutMs: number): Promise<StatusReply> {
    return api.post<StatusReply>(this.clientUrl(node), '/v3/maintenance/status', {}, timeoutMs);
  }

  protected answers(node: string): Promise<boolean> {
    return this.rawStatus(node, 500).then(() => true, () => false);
  }

  protected async probeWrite(leader: string): Promise<void> {
    await api.put(this.clientUrl(leader), 'faultline/health', String(Date.now()), 2000);
  }

  async status(node: string): Promise<NodeStatus | undefined> {
    const s = this.node(node);
    if (!this.alive(s) || s.paused) return undefined;
    try {
      const r = await this.rawStatus(node, 1000);
      const st: NodeStatus = { node, memberId: r.header?.member_id ?? node, raftIndex: r.header?.revision ?? 0, raftTerm: r.raftTerm ?? 0 };
      // A node that is itself a candidate names no leader it follows.
      if (r.leader && r.raftState !== 'candidate') st.leaderId = r.leader;
      return st;
    } catch {
      return undefined;
    }
  }

  /** Node ids are our node names (--node_id n1). */
  leader(): Promise<string | undefined> {
    return this.majorityLeader((id) => (this.nodes.includes(id) ? id : undefined));
  }

  elections(): Promise<ElectionEvent[]> {
    return Promise.resolve(this.timelineFrom(parseAntietcdLog));
  }
}

/** What the system registry lists. */
export const antietcdSystem = new AntietcdSystem();
