// The node-process lifecycle every system shares: launch in the lab, kill, stop, pause, resume, restart, wait
// until healthy, tear down; a system supplies its command line, its health probes and its log format.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sleep } from '../lab/exec.js';
import type { LabNode } from '../lab/lab.js';
import type { RunLedger } from '../lab/ledger.js';
import { nodeDir, nodeLog } from '../results/layout.js';
import { makeDirs } from '../util/dirs.js';
import { envError } from '../util/errors.js';
import { errorName, EXCERPT_WINDOW, logExcerpt } from './log-excerpt.js';
import type { ClusterOptions, ElectionEvent, NodeCrash, NodeStatus } from './system.js';

export interface NodeProcess {
  lab: LabNode;
  /** nodes/<name>/ of the run: log, stdout, data. */
  dir: string;
  dataDir: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  /** How the last process ended (for error messages). */
  exit?: string;
  paused: boolean;
  /** Set by kill/stop/remove so an exit is not reported as a crash. */
  expectDown: boolean;
  /** Removed from the membership: not expected to run, not counted as a voter. */
  removed: boolean;
}

/** How to start one node: the lab spawns `bin args` with this environment. */
export interface LaunchSpec {
  bin: string;
  args: string[];
  env?: Record<string, string>;
  /** The node prints untimed lines: the lab stamps them as they arrive (SpawnOptions.stampLines). */
  stampLines?: boolean;
  /** Where stdout/stderr go; default nodes/<name>/stdout.log. */
  logFile?: string;
}

const LOG_TAIL = 8;
/** The longest error name a one-line message quotes. */
const NAME_MAX = 160;
/** A crash is quoted longer: a stack trace puts its message a dozen lines above the end. */
const CRASH_TAIL = 24;

export abstract class ProcessCluster<N extends NodeProcess = NodeProcess> {
  abstract readonly system: string;
  readonly version: string;
  /** Wall-clock instant of the history's zero, so wall-clock log times map onto history time. */
  readonly t0EpochMs: number;
  protected readonly state = new Map<string, N>();
  protected readonly registry: RunLedger | undefined;
  private torn = false;
  private readonly crashListeners: ((c: NodeCrash) => void)[] = [];

  constructor(
    protected readonly opts: ClusterOptions,
    readonly bin: string,
    version: string,
    private readonly logName: string,
  ) {
    this.version = version;
    this.registry = opts.lab.registry;
    this.t0EpochMs = Date.now() - Number(process.hrtime.bigint() - opts.t0) / 1e6;
  }

  /** Registers the lab's nodes; subclasses call it from their constructor with their extra per-node state. */
  protected addNodes(extra: (n: LabNode) => Omit<N, keyof NodeProcess>): void {
    for (const n of this.opts.lab.nodes) {
      const dir = nodeDir(this.opts.runDir, n.name);
      this.state.set(n.name, { lab: n, dir, dataDir: join(dir, 'data'), paused: false, expectDown: false, removed: false, ...extra(n) } as N);
    }
  }

  /** The command line of one node as it should start now (membership state may have changed it). */
  protected abstract launchSpec(s: N): LaunchSpec;
  /** Whether a (re)started node answers at all (it may still have no leader). */
  protected abstract answers(node: string): Promise<boolean>;
  /** One write through the leader: the cluster is healthy when it succeeds. */
  protected abstract probeWrite(leader: string): Promise<void>;
  abstract status(node: string): Promise<NodeStatus | undefined>;
  /** Readable form of one log line for error messages (zap JSON → "level msg"). */
  protected showLogLine(line: string): string {
    return line;
  }
  /** Hook: stop samplers and timers before the nodes go. */
  protected async beforeTeardown(): Promise<void> {}
  /** Hook: what else to remove after the nodes are gone (config files...). */
  protected afterTeardown(): void {}

  get nodes(): readonly string[] {
    return [...this.state.keys()];
  }

  protected node(name: string): N {
    const s = this.state.get(name);
    if (!s) throw new Error(`no ${this.system} node named ${name} (nodes: ${this.nodes.join(', ')})`);
    return s;
  }

  clientUrl(node: string): string {
    const n = this.node(node).lab;
    return `http://${n.ip}:${n.clientPort}`;
  }

  logFile(node: string): string {
    return nodeLog(this.opts.runDir, node, this.logName);
  }

  /** The node's directory must belong to its uid (host lab as root) so the node can write its log and data. */
  protected prepareDir(s: N): void {
    makeDirs(s.dir);
    const uid = s.lab.uid;
    if (uid !== undefined) {
      for (const d of [this.opts.runDir, join(this.opts.runDir, 'nodes')]) chmodSync(d, statSync(d).mode | 0o111);
      // The node runs as its own uid: every directory above the run's must let it pass (mkdtemp makes 0700).
      for (let d = dirname(resolve(this.opts.runDir)); ; d = dirname(d)) {
        const st = statSync(d);
        if (st.uid !== uid && (st.mode & 0o001) === 0) {
          throw envError(`${this.system} node ${s.lab.name} runs as uid ${uid} and cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}): put the run directory elsewhere, or chmod o+x ${d}`);
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

  protected launch(s: N): void {
    this.prepareDir(s);
    const spec = this.launchSpec(s);
    s.expectDown = false;
    s.paused = false;
    s.exit = undefined;
    const child = this.opts.lab.spawn(s.lab.name, spec.bin, spec.args, {
      logFile: spec.logFile ?? join(s.dir, 'stdout.log'),
      ...(spec.env ? { env: spec.env } : {}),
      ...(spec.stampLines ? { stampLines: true } : {}),
    });
    s.child = child;
    const exited = new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        s.exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
        done();
        if (!s.expectDown && !this.torn) {
          // The log may still be draining through the lab's pipe: read its tail a moment later.
          setTimeout(() => {
            const crash: NodeCrash = { node: s.lab.name, pid: child.pid, exit: s.exit!, logTail: this.logTail(s, CRASH_TAIL) };
            for (const l of this.crashListeners) l(crash);
          }, 100).unref();
        }
      });
      child.once('error', (e) => {
        s.exit = `failed to start: ${e.message}`;
        done();
      });
    });
    s.exited = exited;
    this.launched(s, child, exited);
  }

  /** Hook: a node process was just spawned (same tick), e.g. to record what it will create by its pid. */
  protected launched(_s: N, _child: ChildProcess, _exited: Promise<void>): void {}

  async start(timeoutMs = 30_000): Promise<void> {
    for (const s of this.state.values()) this.launch(s);
    await this.waitHealthy(timeoutMs);
  }

  protected alive(s: N): boolean {
    return s.child !== undefined && s.exit === undefined && s.child.exitCode === null && s.child.signalCode === null;
  }

  /** Nodes that should answer: started, not killed/stopped/removed, not paused. */
  protected reachable(): N[] {
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
          await this.probeWrite(leader);
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
    const silent: N[] = [];
    for (const s of this.reachable()) if (!(await this.answers(s.lab.name))) silent.push(s);
    const culprit = silent[0] ?? [...this.state.values()][0]!;
    const why = silent.length > 0 ? 'does not answer status' : lastError;
    throw envError(this.failure(culprit, `not healthy after ${(timeoutMs / 1000).toFixed(1)} s (${why})`));
  }

  onCrash(listener: (c: NodeCrash) => void): void {
    this.crashListeners.push(listener);
  }

  /**
   * The last lines of a node's log (readable form), then its stdout's error lines; above them, the lines naming
   * the error when the tail has scrolled past them (logExcerpt: a stack trace's message is a dozen lines up).
   */
  protected logTail(s: N, n = LOG_TAIL): string[] {
    const lines = (file: string): string[] => {
      try {
        return readFileSync(file, 'utf8').trimEnd().split('\n');
      } catch {
        return [];
      }
    };
    const log = this.logFile(s.lab.name);
    const stdout = join(s.dir, 'stdout.log');
    // The log's last EXCERPT_WINDOW lines only: enough to find an error's name, and showLogLine parses each one.
    const own = log === stdout ? [] : lines(log).slice(-EXCERPT_WINDOW).map((l) => this.showLogLine(l));
    return logExcerpt([...own, ...stdoutErrors(stdout, (f) => lines(f).slice(-n), n)], n);
  }

  /**
   * An error message naming the node and quoting the tail of its log, then its stdout's error lines. Its first
   * line, which is all `faultline run` prints, also names the error the log ends on, when there is one.
   */
  protected failure(s: N, what: string): string {
    const lines = this.logTail(s);
    const name = errorName(lines);
    const said = name === undefined ? '' : ` (${name.length > NAME_MAX ? name.slice(0, NAME_MAX) + '…' : name})`;
    return `${this.system} node ${s.lab.name} (run ${this.opts.lab.runId}) ${what}${said}; log ${this.logFile(s.lab.name)} ends:\n  ${lines.join('\n  ') || '(empty)'}`;
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

  protected async signalAndWait(s: N, signal: NodeJS.Signals, waitMs: number): Promise<boolean> {
    if (!this.alive(s)) return true;
    s.expectDown = true;
    s.child!.kill(signal);
    return Promise.race([s.exited!.then(() => true), sleep(waitMs).then(() => false)]);
  }

  async kill(node: string): Promise<void> {
    const s = this.node(node);
    if (!(await this.signalAndWait(s, 'SIGKILL', 5000))) throw new Error(`${this.system} ${node} did not exit after SIGKILL`);
    s.paused = false;
  }

  async stop(node: string): Promise<void> {
    const s = this.node(node);
    if (s.paused) await this.resume(node);
    // A leader may first try to hand over leadership, which can take a server's request timeout.
    if (!(await this.signalAndWait(s, 'SIGTERM', 10_000))) await this.kill(node);
  }

  async restart(node: string): Promise<void> {
    const s = this.node(node);
    if (this.alive(s)) throw new Error(`${this.system} ${node} is still running (pid ${s.child?.pid}); kill or stop it first`);
    if (s.removed) throw new Error(`${this.system} ${node} was removed from the cluster; add it back first`);
    this.launch(s);
    await this.waitAnswering(s, 15_000);
  }

  /** Waits until a (re)started node serves status; it may still have no leader (e.g. no quorum). */
  protected async waitAnswering(s: N, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive(s)) throw envError(this.failure(s, s.exit ?? 'exited'));
      if (await this.answers(s.lab.name)) return;
      await sleep(50);
    }
    throw envError(this.failure(s, `does not answer ${timeoutMs / 1000} s after start`));
  }

  async pause(node: string): Promise<void> {
    const s = this.node(node);
    if (!this.alive(s)) throw new Error(`${this.system} ${node} is not running`);
    s.child!.kill('SIGSTOP');
    s.paused = true;
  }

  async resume(node: string): Promise<void> {
    const s = this.node(node);
    if (this.alive(s)) s.child!.kill('SIGCONT');
    s.paused = false;
  }

  /**
   * The leader agreed by a majority of members: an isolated old leader may still believe in itself for a
   * while, and must not be reported as the cluster's leader. `nameOf` maps a leader id onto a node name.
   */
  protected async majorityLeader(nameOf: (leaderId: string) => Promise<string | undefined> | string | undefined): Promise<string | undefined> {
    const voters = [...this.state.values()].filter((s) => !s.removed).length;
    const statuses = await Promise.all(this.reachable().map((s) => this.status(s.lab.name)));
    const votes = new Map<string, number>();
    for (const st of statuses) if (st?.leaderId) votes.set(st.leaderId, (votes.get(st.leaderId) ?? 0) + 1);
    let best: string | undefined;
    let bestVotes = 0;
    for (const [id, v] of votes) if (v > bestVotes) [best, bestVotes] = [id, v];
    if (best === undefined || bestVotes < Math.floor(voters / 2) + 1) return undefined;
    return nameOf(best);
  }

  abstract leader(): Promise<string | undefined>;

  /** The election timeline from every node's log so far, with the system's parser. */
  protected timelineFrom(parse: (text: string, node: string, t0EpochMs: number) => ElectionEvent[]): ElectionEvent[] {
    const perNode = this.nodes.map((n) => {
      try {
        return parse(readFileSync(this.logFile(n), 'utf8'), n, this.t0EpochMs);
      } catch {
        return [];
      }
    });
    return perNode.flat().sort((a, b) => a.time - b.time);
  }

  async teardown(): Promise<void> {
    if (this.torn) return;
    this.torn = true;
    await this.beforeTeardown();
    await Promise.all([...this.state.values()].map((s) => this.signalAndWait(s, 'SIGKILL', 5000)));
    for (const s of this.state.values()) {
      // Data goes (etcd preallocates 125 MB per node); logs and metrics stay with the run.
      rmSync(s.dataDir, { recursive: true, force: true });
      this.registry?.forget((r) => r.kind === 'dir' && r.path === s.dataDir);
    }
    this.afterTeardown();
  }
}

/** Stores print flag errors to stderr, often followed by a long usage text: keep the error lines, else the tail. */
function stdoutErrors(file: string, tail: (f: string) => string[], n: number): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const errors = text.split('\n').filter((l) => /error|fatal|panic|not defined|invalid|denied|exception/i.test(l) && !l.startsWith('{'));
  return errors.length > 0 ? errors.slice(-n) : tail(file);
}
