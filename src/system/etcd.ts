// The etcd system: finds the binaries, starts/kills/pauses a cluster's nodes in a lab, and reads its leader,
// membership, election timeline and metrics.
import type { ChildProcess } from 'node:child_process';
import { accessSync, appendFileSync, chmodSync, chownSync, constants, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { runCommand, sleep } from '../lab/exec.js';
import type { Lab, LabNode } from '../lab/lab.js';
import type { RunRegistry } from '../lab/registry.js';
import { nodeDir, nodeLog, nodeMetrics } from '../run/layout.js';
import { envError } from '../util/errors.js';
import * as api from './etcd-api.js';
import { mergeTimelines, parseEtcdLog } from './etcd-log.js';
import { toSample } from './etcd-metrics.js';
import type { Cluster, ClusterOptions, ElectionEvent, MemberInfo, MetricsSample, NodeStatus, System } from './system.js';
import { makeDirs } from '../util/dirs.js';

export const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install etcd-server etcd-client) or pass --etcd-bin DIR|PATH';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `--etcd-bin` may name the binary or its directory; otherwise PATH is searched. */
export function findBinary(name: string, binPath?: string): string | undefined {
  if (binPath !== undefined) {
    const candidate = existsSync(binPath) && statSync(binPath).isDirectory() ? join(binPath, name) : binPath;
    return isExecutable(candidate) ? candidate : undefined;
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class EtcdSystem implements System {
  readonly name = 'etcd';

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

interface NodeState {
  lab: LabNode;
  dir: string;
  dataDir: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  /** How the last process ended (for error messages). */
  exit?: string;
  paused: boolean;
  /** Set by kill/stop/remove so an exit is not reported as a crash. */
  expectDown: boolean;
  clusterState: 'new' | 'existing';
  initialCluster: string;
  removed: boolean;
}

const MEMBER_TAIL = 8;

export class EtcdCluster implements Cluster {
  readonly system = 'etcd';
  readonly version: string;
  readonly t0EpochMs: number;
  private readonly state = new Map<string, NodeState>();
  private readonly registry: RunRegistry | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private samples: MetricsSample[] = [];
  private torn = false;

  constructor(
    private readonly opts: ClusterOptions,
    readonly bin: string,
    version: string,
  ) {
    this.version = version;
    this.registry = opts.lab.registry;
    // Wall-clock instant of the history's zero, so zap's wall-clock log times map onto history time.
    this.t0EpochMs = Date.now() - Number(process.hrtime.bigint() - opts.t0) / 1e6;
    const initialCluster = opts.lab.nodes.map((n) => `${n.name}=${peerUrl(n)}`).join(',');
    for (const n of opts.lab.nodes) {
      const dir = nodeDir(opts.runDir, n.name);
      this.state.set(n.name, {
        lab: n,
        dir,
        dataDir: join(dir, 'data'),
        paused: false,
        expectDown: false,
        clusterState: 'new',
        initialCluster,
        removed: false,
      });
    }
  }

  get nodes(): readonly string[] {
    return [...this.state.keys()];
  }

  private node(name: string): NodeState {
    const s = this.state.get(name);
    if (!s) throw new Error(`no etcd node named ${name} (nodes: ${this.nodes.join(', ')})`);
    return s;
  }

  clientUrl(node: string): string {
    const n = this.node(node).lab;
    return `http://${n.ip}:${n.clientPort}`;
  }

  metricsUrl(node: string): string {
    const n = this.node(node).lab;
    return `http://${n.ip}:${n.metricsPort}`;
  }

  logFile(node: string): string {
    return nodeLog(this.opts.runDir, node);
  }

  private args(s: NodeState): string[] {
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
    if (n.metricsPort !== n.clientPort) args.push('--listen-metrics-urls', `http://${n.ip}:${n.metricsPort}`);
    if (st.snapshotCount !== undefined) args.push('--snapshot-count', String(st.snapshotCount));
    return [...args, ...(st.extraFlags ?? [])];
  }

  /** The node's directory must belong to its uid (host lab as root) so etcd can write its log and data. */
  private prepareDir(s: NodeState): void {
    makeDirs(s.dir);
    const uid = s.lab.uid;
    if (uid !== undefined) {
      for (const d of [this.opts.runDir, join(this.opts.runDir, 'nodes')]) chmodSync(d, statSync(d).mode | 0o111);
      // The node runs as its own uid: every directory above the run's must let it pass (mkdtemp makes 0700).
      for (let d = dirname(resolve(this.opts.runDir)); ; d = dirname(d)) {
        const st = statSync(d);
        if (st.uid !== uid && (st.mode & 0o001) === 0) {
          throw envError(`etcd node ${s.lab.name} runs as uid ${uid} and cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}): put the run directory elsewhere, or chmod o+x ${d}`);
        }
        if (d === dirname(d)) break;
      }
      chownSync(s.dir, uid, uid);
      if (existsSync(this.logFile(s.lab.name))) chownSync(this.logFile(s.lab.name), uid, uid);
    }
    if (!this.registry?.resources().some((r) => r.kind === 'dir' && r.path === s.dataDir)) {
      this.registry?.add({ kind: 'dir', path: s.dataDir });
    }
  }

  private launch(s: NodeState): void {
    this.prepareDir(s);
    s.expectDown = false;
    s.paused = false;
    s.exit = undefined;
    const child = this.opts.lab.spawn(s.lab.name, this.bin, this.args(s), { logFile: join(s.dir, 'stdout.log') });
    s.child = child;
    s.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        s.exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      child.once('error', (e) => {
        s.exit = `failed to start: ${e.message}`;
        resolve();
      });
    });
  }

  async start(timeoutMs = 30_000): Promise<void> {
    for (const s of this.state.values()) this.launch(s);
    await this.waitHealthy(timeoutMs);
  }

  private alive(s: NodeState): boolean {
    return s.child !== undefined && s.exit === undefined && s.child.exitCode === null && s.child.signalCode === null;
  }

  /** Nodes that should answer: started, not killed/stopped/removed, not paused. */
  private reachable(): NodeState[] {
    return [...this.state.values()].filter((s) => this.alive(s) && !s.paused && !s.removed);
  }

  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      const crashed = [...this.state.values()].find((s) => s.child && !s.expectDown && !s.removed && !this.alive(s));
      if (crashed) throw envError(this.failure(crashed, `${crashed.exit ?? 'exited'}`));
      const leader = await this.leader();
      if (leader) {
        try {
          await api.put(this.clientUrl(leader), 'faultline/health', String(Date.now()), 2000);
          return;
        } catch (e) {
          lastError = (e as Error).message;
        }
      } else {
        lastError = 'no leader agreed by a majority';
      }
      await sleep(50);
    }
    // Name the node that is not answering, or the first one when all answer but no leader emerged.
    const silent = [];
    for (const s of this.reachable()) {
      const ok = await api.status(this.clientUrl(s.lab.name), 500).then(() => true, () => false);
      if (!ok) silent.push(s);
    }
    const culprit = silent[0] ?? [...this.state.values()][0]!;
    const why = silent.length > 0 ? 'does not answer status' : lastError;
    throw envError(this.failure(culprit, `not healthy after ${(timeoutMs / 1000).toFixed(1)} s (${why})`));
  }

  /** An error message naming the node and quoting the tail of its log (zap messages, then stdout). */
  private failure(s: NodeState, what: string): string {
    const tail = (file: string): string[] => {
      try {
        return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-MEMBER_TAIL);
      } catch {
        return [];
      }
    };
    const lines = [
      ...tail(this.logFile(s.lab.name)).map((l) => {
        try {
          const j = JSON.parse(l) as { level?: string; msg?: string; error?: string };
          return `${j.level ?? ''} ${j.msg ?? ''}${j.error ? `: ${j.error}` : ''}`;
        } catch {
          return l;
        }
      }),
      ...stdoutErrors(join(s.dir, 'stdout.log'), tail),
    ].slice(-MEMBER_TAIL);
    return `etcd node ${s.lab.name} (run ${this.opts.lab.runId}) ${what}; log ${this.logFile(s.lab.name)} ends:\n  ${lines.join('\n  ') || '(empty)'}`;
  }

  pid(node: string): number | undefined {
    const s = this.node(node);
    return this.alive(s) ? s.child?.pid : undefined;
  }

  isRunning(node: string): boolean {
    return this.alive(this.node(node));
  }

  isPaused(node: string): boolean {
    return this.node(node).paused;
  }

  private async signalAndWait(s: NodeState, signal: NodeJS.Signals, waitMs: number): Promise<boolean> {
    if (!this.alive(s)) return true;
    s.expectDown = true;
    s.child!.kill(signal);
    const done = await Promise.race([s.exited!.then(() => true), sleep(waitMs).then(() => false)]);
    return done;
  }

  async kill(node: string): Promise<void> {
    const s = this.node(node);
    if (!(await this.signalAndWait(s, 'SIGKILL', 5000))) throw new Error(`etcd ${node} did not exit after SIGKILL`);
    s.paused = false;
  }

  async stop(node: string): Promise<void> {
    const s = this.node(node);
    if (s.paused) await this.resume(node);
    // A leader first tries to hand over leadership, which can take the server's 7 s request timeout.
    if (!(await this.signalAndWait(s, 'SIGTERM', 10_000))) await this.kill(node);
  }

  async restart(node: string): Promise<void> {
    const s = this.node(node);
    if (this.alive(s)) throw new Error(`etcd ${node} is still running (pid ${s.child?.pid}); kill or stop it first`);
    if (s.removed) throw new Error(`etcd ${node} was removed from the cluster; add it back with addLearner`);
    this.launch(s);
    await this.waitAnswering(s, 15_000);
  }

  /** Waits until a (re)started node serves status; it may still have no leader (e.g. no quorum). */
  private async waitAnswering(s: NodeState, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive(s)) throw envError(this.failure(s, s.exit ?? 'exited'));
      if (await api.status(this.clientUrl(s.lab.name), 500).then(() => true, () => false)) return;
      await sleep(50);
    }
    throw envError(this.failure(s, `does not answer ${timeoutMs / 1000} s after start`));
  }

  async pause(node: string): Promise<void> {
    const s = this.node(node);
    if (!this.alive(s)) throw new Error(`etcd ${node} is not running`);
    s.child!.kill('SIGSTOP');
    s.paused = true;
  }

  async resume(node: string): Promise<void> {
    const s = this.node(node);
    if (this.alive(s)) s.child!.kill('SIGCONT');
    s.paused = false;
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

  /**
   * The leader agreed by a majority of members: an isolated old leader still believes in itself for a
   * while (until check-quorum deposes it), and must not be reported as the cluster's leader.
   */
  async leader(): Promise<string | undefined> {
    const voters = [...this.state.values()].filter((s) => !s.removed).length;
    const statuses = await Promise.all(this.reachable().map((s) => this.status(s.lab.name)));
    const votes = new Map<string, number>();
    for (const st of statuses) if (st?.leaderId) votes.set(st.leaderId, (votes.get(st.leaderId) ?? 0) + 1);
    let best: string | undefined;
    let bestVotes = 0;
    for (const [id, v] of votes) if (v > bestVotes) [best, bestVotes] = [id, v];
    if (best === undefined || bestVotes < Math.floor(voters / 2) + 1) return undefined;
    if (!this.idToNode.has(best)) await this.members().catch(() => undefined);
    return this.idToNode.get(best);
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
    rmSync(s.dataDir, { recursive: true, force: true });
  }

  async addLearner(node: string): Promise<void> {
    const s = this.node(node);
    if (!s.removed && (await this.memberId(node))) throw new Error(`${node} is already a member; remove it first`);
    if (this.alive(s)) await this.kill(node);
    rmSync(s.dataDir, { recursive: true, force: true });
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

  async elections(): Promise<ElectionEvent[]> {
    return mergeTimelines(
      this.nodes.map((n) => {
        try {
          return parseEtcdLog(readFileSync(this.logFile(n), 'utf8'), n, this.t0EpochMs);
        } catch {
          return [];
        }
      }),
    );
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
            appendFileSync(nodeMetrics(this.opts.runDir, name), JSON.stringify(sample) + '\n');
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
    const out = this.samples;
    this.samples = [];
    return out;
  }

  async teardown(): Promise<void> {
    if (this.torn) return;
    this.torn = true;
    await this.stopMetrics();
    await Promise.all([...this.state.values()].map((s) => this.signalAndWait(s, 'SIGKILL', 5000)));
    for (const s of this.state.values()) {
      // 125 MB each (preallocated WAL): data goes, logs and metrics stay with the run.
      rmSync(s.dataDir, { recursive: true, force: true });
      this.registry?.forget((r) => r.kind === 'dir' && r.path === s.dataDir);
    }
  }
}

/** etcd prints flag errors to stderr followed by a long usage text: keep the error lines, else the tail. */
function stdoutErrors(file: string, tail: (f: string) => string[]): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const errors = text.split('\n').filter((l) => /error|fatal|panic|not defined|invalid|denied/i.test(l) && !l.startsWith('{'));
  return errors.length > 0 ? errors.slice(-MEMBER_TAIL) : tail(file);
}

export function peerUrl(n: LabNode): string {
  return `http://${n.ip}:${n.peerPort}`;
}

/** What the system registry lists; one line per system. */
export const etcdSystem = new EtcdSystem();
