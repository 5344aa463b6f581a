// The SSH lab: nodes on real hosts driven over OpenSSH, faults as iptables/tc on each host, every node's
// nodes/<n>/ directory mirrored on its host and its logs streamed back, and nothing left behind.
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { envError, usageError } from '../util/errors.js';
import { makeDirs } from '../util/dirs.js';
import { checkPlan, findNode, type ExecResult, type Grudge, type Lab, type LabNetwork, type LabNode, type LabOptions, type Link, type NetCapability, type PortPlan, type SpawnOptions } from './lab.js';
import { chainNames, chainSetup, checkGrudge, lossRules, partitionRules, replaceChains, rootQdiscArgs, type QdiscState } from './netshape.js';
import { openOutput } from './output.js';
import { processStartTime, ledgerDir, removeResource, type Resource, type RunLedger } from './ledger.js';
import { RUN_ENV, REGISTRY_ENV } from './marker.js';
import { sq, SshConnection } from './ssh-conn.js';
import { sshConfigFor, type SshConfig, type SshHost } from './ssh-hosts.js';
import { RemoteProcess } from './ssh-process.js';
import { followScript, guardScript, putFileScript, remoteRegistry, runDirOn, setupScript, shmRemoveScript, startScript, sweepScript } from './ssh-remote.js';
import type { ChildProcess } from 'node:child_process';

/** A package and every dependency of it that is installed in `modules` (optional ones only when present). */
export function packageClosure(modules: string, pkg: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !existsSync(join(modules, name, 'package.json'))) return;
    seen.add(name);
    const p = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const d of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) visit(d);
  };
  visit(pkg);
  return [...seen];
}

/** The local side of a run: known_hosts and control sockets (socket paths must stay under ~100 bytes). */
export const localSshDir = (runId: string): string => join(ledgerDir(), `fl-${runId}-ssh`);

interface HostState {
  conn: SshConnection;
  guard?: ChildProcess;
  iface?: string;
  netem: boolean;
  tc: boolean;
  /** libfaketime's preload library there, when installed. */
  faketime?: string;
  uploaded: Set<string>;
  /** File writes to the host still in flight: a node started there waits for them (its control file). */
  writes: Set<Promise<unknown>>;
}

/**
 * libfaketime on the nodes' own hosts (system/faketime.ts): the control file is a path there, written through the
 * connection; the node's start records the shm files libfaketime names by its (remote) pid in the host's record.
 */
export interface FaketimeHosts {
  library(node: string): string;
  /** The node's control file on its host: in its mirrored directory, named with the run id. */
  controlFile(node: string): string;
  /** Writes the control file there atomically; a node started after this call reads the new content. */
  writeControl(node: string, content: string): Promise<void>;
  /** Removes an ended node process's shm files there (the run's teardown and sweep remove any left). */
  removeShm(node: string, pid: number, startTime: string): Promise<void>;
}

export class SshLab implements Lab {
  readonly kind = 'ssh' as const;
  readonly runId: string;
  readonly registry: RunLedger;
  readonly net: SshNetwork;
  readonly config: SshConfig;
  private readonly plan: PortPlan;
  private readonly nodeCount: number;
  private readonly list: LabNode[] = [];
  private readonly hosts: HostState[] = [];
  /** Local nodes/<n> directory of each node, learned from the paths systems pass (layout.ts nodeDir). */
  private readonly localNodeDir = new Map<string, string>();
  private readonly procs = new Set<RemoteProcess>();
  private readonly owned: Resource[] = [];
  private isUp = false;

  constructor(opts: LabOptions) {
    this.runId = opts.runId;
    this.registry = opts.registry;
    this.plan = checkPlan(opts.ports);
    this.nodeCount = opts.nodeCount;
    this.config = sshConfigFor(opts.ssh, opts.nodeCount);
    this.net = new SshNetwork(this);
  }

  get nodes(): readonly LabNode[] {
    return this.list;
  }

  node(name: string): LabNode {
    return findNode(this.list, name);
  }

  hostOf(name: string): HostState {
    const i = this.list.findIndex((x) => x.name === name);
    if (i < 0) this.node(name);
    return this.hosts[i]!;
  }

  hostSpec(name: string): SshHost {
    return this.hostOf(name).conn.host;
  }

  own(r: Resource): void {
    this.registry.add(r);
    this.owned.push(r);
  }

  async up(): Promise<void> {
    if (this.isUp) return;
    try {
      await this.build();
      this.isUp = true;
    } catch (e) {
      await this.down();
      throw e;
    }
  }

  private async build(): Promise<void> {
    const dir = localSshDir(this.runId);
    this.own({ kind: 'dir', path: dir });
    makeDirs(dir);
    // The run trusts exactly the keys it was given; ssh never writes to the user's own file.
    const knownHosts = join(dir, 'known_hosts');
    const source = this.config.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
    if (existsSync(source)) copyFileSync(source, knownHosts);
    else writeFileSync(knownHosts, '');
    const hosts = this.config.hosts.slice(0, this.nodeCount);
    this.list.length = 0;
    this.hosts.length = 0;
    hosts.forEach((h, k) => {
      const ports = { ...this.plan.ports };
      this.list.push({ name: `n${k + 1}`, ip: h.address, clientPort: ports['client']!, ports, peerPorts: this.plan.peer.map((p) => ports[p]!) });
      const conn = new SshConnection(h, { runId: this.runId, knownHosts, hostKeyChecking: this.config.hostKeyChecking, connectTimeoutS: this.config.connectTimeoutS, commandTimeoutS: this.config.commandTimeoutS, controlPath: join(dir, `cm${k + 1}`) });
      this.hosts.push({ conn, netem: false, tc: false, uploaded: new Set(), writes: new Set() });
    });
    // Every host finishes (or fails) before down() may run: a host still building would leave its chains behind.
    const built = await Promise.allSettled(this.hosts.map((h, k) => this.buildHost(h, this.list[k]!)));
    const failed = built.find((b): b is PromiseRejectedResult => b.status === 'rejected');
    if (failed) throw failed.reason;
    if (this.hosts.some((h) => !h.netem)) this.net.noDelay(this.hosts.find((h) => !h.netem)!.conn.name);
  }

  private async buildHost(h: HostState, n: LabNode): Promise<void> {
    const { conn } = h;
    // Recorded before anything exists there: a sweep of this run's record reaches the host's own record.
    this.own({ kind: 'ssh-host', runId: this.runId, host: conn.host, knownHosts: conn.o.knownHosts, hostKeyChecking: conn.o.hostKeyChecking });
    const master = conn.startMaster();
    if (master.pid !== undefined) this.own({ kind: 'process', pid: master.pid, startTime: processStartTime(master.pid) ?? '', what: `ssh master ${conn.name}` });
    await conn.ready();
    // The guard owns the host's record: it lives exactly as long as our connection does.
    const guard = conn.session(guardScript(conn.host.dir, this.runId, hostname()), 'pipe');
    h.guard = guard;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      guard.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      guard.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      guard.once('exit', () => reject(envError(`ssh host ${conn.name}: cannot create ${conn.host.dir}/.faultline (${err.trim().split('\n').pop() ?? 'no reason given'}): check the host's "dir" and permissions`)));
    });
    const c = chainNames(this.runId);
    const chains = [
      { table: 'filter', parent: 'INPUT', chain: c.part },
      { table: 'filter', parent: 'OUTPUT', chain: c.loss },
      { table: 'filter', parent: 'OUTPUT', chain: c.delay },
    ];
    const r = await conn.run(setupScript(conn.host.dir, this.runId, n.ip, chains), { input: chainSetup(this.runId) });
    if (r.exitCode !== 0) throw envError(`ssh host ${conn.name}: cannot set up iptables chains: ${r.stderr.trim().split('\n').pop() ?? r.exitCode} (needs root: set "sudo": true or log in as root; apt-get install iptables)`);
    const iface = /^iface (\S*)$/m.exec(r.stdout)?.[1];
    if (iface) h.iface = iface;
    h.netem = /^netem yes$/m.test(r.stdout);
    h.tc = /^tc yes$/m.test(r.stdout);
    const ft = /^faketime (\S+)$/m.exec(r.stdout)?.[1];
    if (ft) h.faketime = ft;
  }

  /** Clock control through libfaketime on the hosts (after up()), or undefined when a host lacks it. */
  faketimeHosts(): FaketimeHosts | undefined {
    if (!this.isUp || this.hosts.some((h) => h.faketime === undefined)) return undefined;
    const file = (node: string): string => `${runDirOn(this.hostSpec(node).dir, this.runId)}/nodes/${node}/fl-${this.runId}.faketime`;
    return {
      library: (node) => this.hostOf(node).faketime!,
      controlFile: file,
      writeControl: (node, content) => {
        const h = this.hostOf(node);
        const w = h.conn.must(putFileScript(file(node)), `write of ${node}'s clock control file`, content).then(() => undefined);
        const settled = w.catch(() => undefined);
        h.writes.add(settled);
        void settled.then(() => h.writes.delete(settled));
        return w;
      },
      removeShm: async (node, pid, startTime) => {
        await this.hostOf(node).conn.run(shmRemoveScript(pid, startTime));
      },
    };
  }

  /** The host path mirroring a local path inside a node's directory, or undefined for any other path. */
  private mapPath(node: string, local: string): string | undefined {
    const base = this.localNodeDir.get(node);
    if (!base || (local !== base && !local.startsWith(`${base}/`))) return undefined;
    return `${runDirOn(this.hostSpec(node).dir, this.runId)}/nodes/${node}${local.slice(base.length)}`;
  }

  private learnNodeDir(node: string, paths: string[]): void {
    if (this.localNodeDir.has(node)) return;
    const marker = `/nodes/${node}`;
    for (const p of paths) {
      const i = p.indexOf(`${marker}/`);
      if (p.startsWith('/') && (i >= 0 || p.endsWith(marker))) {
        this.localNodeDir.set(node, i >= 0 ? p.slice(0, i + marker.length) : p);
        return;
      }
    }
  }

  spawn(node: string, command: string, args: string[], options: SpawnOptions = {}): RemoteProcess {
    const h = this.hostOf(node);
    const proc = new RemoteProcess(h.conn, command);
    this.procs.add(proc);
    proc.once('exit', () => this.procs.delete(proc));
    proc.once('error', () => this.procs.delete(proc));
    void this.start(node, h, proc, command, args, options).catch((e: Error) => proc.fail(e.message));
    return proc;
  }

  private async start(node: string, h: HostState, proc: RemoteProcess, command: string, args: string[], options: SpawnOptions): Promise<void> {
    const valueOf = (a: string): { pre: string; path: string } => {
      const eq = a.indexOf('=');
      return eq > 0 && a[eq + 1] === '/' && a.startsWith('-') ? { pre: a.slice(0, eq + 1), path: a.slice(eq + 1) } : { pre: '', path: a };
    };
    this.learnNodeDir(node, [...args.map((a) => valueOf(a).path), ...(options.logFile ? [options.logFile] : [])]);
    const remoteNode = `${runDirOn(h.conn.host.dir, this.runId)}/nodes/${node}`;
    const mkdirs = new Set([remoteNode]);
    const outputs: string[] = [];
    const follows: { remote: string; local: string }[] = [];
    const mapped: string[] = [];
    for (const a of args) {
      const { pre, path } = valueOf(a);
      const remote = path.startsWith('/') ? this.mapPath(node, path) : undefined;
      if (remote !== undefined) {
        if (path.endsWith('.log')) {
          // A log the node writes itself: streamed back into the same local file.
          outputs.push(remote);
          follows.push({ remote, local: path });
          mkdirs.add(posix.dirname(remote));
        } else if (existsSync(path) && statSync(path).isDirectory()) mkdirs.add(remote);
        else if (existsSync(path) && statSync(path).isFile()) await h.conn.must(`mkdir -p ${sq(posix.dirname(remote))} && cat > ${sq(remote)}`, `upload of ${basename(path)}`, readFileSync(path, 'utf8'));
        else mkdirs.add(posix.dirname(remote));
        mapped.push(pre + remote);
        continue;
      }
      mapped.push(pre + (path.startsWith('/') ? await this.packagePath(h, path) : path) );
    }
    const out = options.logFile ? `${remoteNode}/${basename(options.logFile)}` : undefined;
    if (out) outputs.push(out);
    // A preload (libfaketime's LD_PRELOAD and FAKETIME_*) reaches the node alone, with its shm recorded by pid.
    const isPreload = (k: string): boolean => options.env?.['LD_PRELOAD'] !== undefined && (k === 'LD_PRELOAD' || k.startsWith('FAKETIME_'));
    const given = Object.entries(options.env ?? {});
    const preload = Object.fromEntries(given.filter(([k]) => isPreload(k)));
    const env = { ...Object.fromEntries(given.filter(([k]) => !isPreload(k))), [RUN_ENV]: this.runId, [REGISTRY_ENV]: remoteRegistry(h.conn.host.dir) };
    const cwd = (options.cwd && this.mapPath(node, options.cwd)) ?? remoteNode;
    const script = startScript({ dir: h.conn.host.dir, runId: this.runId, what: `${basename(command)} ${node}`, command, args: mapped, env, cwd, mkdirs: [...mkdirs], outputs, ...(out ? { out } : {}), ...(Object.keys(preload).length ? { preload } : {}) });
    // The node's control file (and any other write to its host) is in place before it starts.
    await Promise.all([...h.writes]);

    if (options.logFile) makeDirs(dirname(options.logFile));
    const session = h.conn.session(script);
    if (options.logFile && options.stampLines) {
      // Stamped as lines arrive, exactly as the local labs do (output.ts reads the handle's stdout).
      const output = openOutput(options);
      proc.stdout = session.stdout;
      proc.stderr = null;
      output.attach(proc);
      output.close();
    } else if (options.logFile) session.stdout?.pipe(createWriteStream(options.logFile, { flags: 'a' }));
    else session.stdout?.resume();
    let control = '';
    let said: number | null | undefined;
    let lastErr = '';
    session.stderr?.setEncoding('utf8');
    session.stderr?.on('data', (chunk: string) => {
      control += chunk;
      const lines = control.split('\n');
      control = lines.pop()!;
      for (const l of lines) {
        // No start time when the process has already ended (a command that exits at once).
        const pid = /^pid (\d+) ?(\d*)$/.exec(l);
        const exit = /^exit (\d+)$/.exec(l);
        if (pid) {
          proc.onPid(Number(pid[1]), pid[2]!);
          for (const f of follows) proc.streams.push(this.follow(h, f.remote, f.local, Number(pid[1])));
        } else if (exit) said = Number(exit[1]);
        else if (/^missing /.test(l)) proc.fail(RemoteProcess.missing(h.conn.name, l.slice('missing '.length)));
        else if (l.trim()) lastErr = l;
      }
    });
    session.once('exit', (code) => {
      if (proc.pid === undefined) {
        if (code === 255) proc.fail(`ssh host ${h.conn.name}: connection lost while starting ${basename(command)} on ${node}${lastErr ? ` (${lastErr})` : ''}: check the host`);
        else proc.fail(`ssh host ${h.conn.name}: could not start ${basename(command)} on ${node} (${lastErr || `exit ${code}`})`);
        return;
      }
      void proc.onExit(said ?? null);
    });
  }

  /** Streams a file the node writes on its host into the same local path (appending). */
  private follow(h: HostState, remote: string, local: string, pid: number): Promise<void> {
    const s = h.conn.session(followScript(remote, pid));
    makeDirs(dirname(local));
    const sink = createWriteStream(local, { flags: 'a' });
    s.stdout?.pipe(sink);
    s.stderr?.resume();
    return new Promise((r) => sink.once('close', () => r()));
  }

  /**
   * A local file outside the run (a package's script, e.g. antietcd-app.js): a file inside node_modules/<pkg> is
   * uploaded with that package and its dependencies (those installed here) into the run's pkg/node_modules/ on
   * the host, once per run, so Node resolves them there; any other path is used as it is and must exist there.
   */
  private async packagePath(h: HostState, path: string): Promise<string> {
    const m = /^(.*\/node_modules)\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(path);
    if (!m || !existsSync(path)) return path;
    const [, modules, pkg, rest] = m;
    const remoteModules = `${runDirOn(h.conn.host.dir, this.runId)}/pkg/node_modules`;
    if (!h.uploaded.has(pkg!)) {
      const names = packageClosure(modules!, pkg!).filter((n) => !h.uploaded.has(n));
      for (const n of names) h.uploaded.add(n);
      await h.conn.upload(modules!, names, remoteModules);
    }
    return `${remoteModules}/${pkg}${rest ?? ''}`;
  }

  async exec(node: string, command: string, args: string[]): Promise<ExecResult> {
    return this.hostOf(node).conn.run([command, ...args].map(sq).join(' '));
  }

  async removeNodePath(node: string, path: string): Promise<void> {
    rmSync(path, { recursive: true, force: true });
    const remote = this.mapPath(node, path);
    // A path outside the node's directory was never mirrored: there is nothing of it on the host.
    if (remote !== undefined) await this.hostOf(node).conn.must(`rm -rf ${sq(remote)}`, `removing ${basename(path)} of ${node}`);
  }

  /** Kills what is left, removes the run's chains, qdiscs and files on every host, closes the connections. */
  async down(): Promise<void> {
    const live = [...this.procs];
    for (const p of live) p.kill('SIGKILL');
    await Promise.race([Promise.all(live.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(0) : p.once('exit', r))))), new Promise((r) => setTimeout(r, 5000))]);
    await Promise.all(
      this.hosts.map(async (h) => {
        try {
          if (h.guard) await h.conn.run(sweepScript(h.conn.host.dir, this.runId, true));
        } catch {
          // The registry still holds the host: the next sweep reaches it.
          return;
        }
        h.guard?.stdin?.end();
        await h.conn.stopMaster();
        this.forget((r) => r.kind === 'ssh-host' && r.host.address === h.conn.host.address && r.runId === this.runId);
      }),
    );
    for (const h of this.hosts) await h.conn.stopMaster();
    for (const r of this.owned.filter((x) => x.kind === 'process' || x.kind === 'dir')) await removeResource(r).catch(() => undefined);
    const gone = new Set<Resource>(this.owned.filter((x) => x.kind !== 'ssh-host'));
    this.forget((r) => gone.has(r));
    this.isUp = false;
  }

  private forget(match: (r: Resource) => boolean): void {
    for (let i = this.owned.length - 1; i >= 0; i--) if (match(this.owned[i]!)) this.owned.splice(i, 1);
    this.registry.forget(match);
  }
}

/** Network faults on the hosts: iptables chains of the run (partition, loss), tbf (bandwidth), netem (delay). */
export class SshNetwork implements LabNetwork {
  readonly capabilities = new Set<NetCapability>(['partition', 'loss', 'bandwidth', 'delay']);
  private delayReason: string | undefined;
  private readonly qdisc = new Map<string, QdiscState>();

  constructor(private readonly lab: SshLab) {}

  /** Called once up() has probed the hosts: delay needs netem on every host (the NFQUEUE helper is netns-only). */
  noDelay(host: string): void {
    this.capabilities.delete('delay');
    this.delayReason = `delay on the ssh lab needs tc netem on every host, and ${host} has none (no sch_netem module); the NFQUEUE fallback exists only in --lab netns`;
  }

  missing(cap: NetCapability): string | undefined {
    return this.capabilities.has(cap) ? undefined : cap === 'delay' ? this.delayReason : `the ssh lab cannot ${cap}`;
  }

  private names(): string[] {
    return this.lab.nodes.map((n) => n.name);
  }

  private ip = (n: string): string => this.lab.node(n).ip;

  private async restore(node: string, chains: Record<string, string[]>): Promise<void> {
    await this.lab.hostOf(node).conn.must('iptables-restore -w --noflush', 'iptables-restore', replaceChains(chains));
  }

  async partition(grudge: Grudge): Promise<void> {
    checkGrudge(grudge, this.names());
    const { part } = chainNames(this.lab.runId);
    await Promise.all(this.names().map((n) => this.restore(n, { [part]: partitionRules(grudge[n] ?? [], this.ip) })));
  }

  async heal(): Promise<void> {
    const { part } = chainNames(this.lab.runId);
    await Promise.all(this.names().map((n) => this.restore(n, { [part]: [] })));
  }

  async loss(links: Link[], p: number): Promise<void> {
    if (!(p >= 0 && p <= 1)) throw new Error(`loss probability must be in 0..1, got ${p}`);
    for (const l of links) (this.lab.node(l.from), this.lab.node(l.to));
    const { loss } = chainNames(this.lab.runId);
    await Promise.all(this.names().map((n) => this.restore(n, { [loss]: lossRules(n, links, p, this.ip) })));
  }

  /** netem shapes a whole interface: only delays of every link leaving a node can be honoured. */
  async delay(links: Link[], delayMs: number, jitterMs: number): Promise<void> {
    if (this.delayReason) throw envError(this.delayReason);
    if (!(delayMs >= 0) || !(jitterMs >= 0)) throw new Error(`delay and jitter must be >= 0 ms, got ${delayMs}, ${jitterMs}`);
    await Promise.all(
      this.names().map(async (n) => {
        const to = new Set(links.filter((l) => l.from === n && l.to !== n).map((l) => l.to));
        const peers = this.names().filter((x) => x !== n);
        if (to.size > 0 && !peers.every((p) => to.has(p))) throw new Error(`ssh lab: delay on ${n} must cover every link leaving it (netem delays the whole interface)`);
        const q = { ...this.qdisc.get(n), netemDelayMs: to.size > 0 ? delayMs : undefined, netemJitterMs: to.size > 0 ? jitterMs : undefined };
        await this.setQdisc(n, q);
      }),
    );
  }

  async bandwidth(nodes: string[], kbit: number): Promise<void> {
    if (!(kbit > 0)) throw new Error(`bandwidth must be > 0 kbit/s, got ${kbit}`);
    for (const n of nodes) this.lab.node(n);
    await Promise.all(this.names().map((n) => this.setQdisc(n, { ...this.qdisc.get(n), kbit: nodes.includes(n) ? kbit : undefined })));
  }

  async clearShaping(): Promise<void> {
    const { loss, delay } = chainNames(this.lab.runId);
    await Promise.all(
      this.names().map(async (n) => {
        await this.restore(n, { [loss]: [], [delay]: [] });
        await this.setQdisc(n, {});
      }),
    );
  }

  private async setQdisc(node: string, state: QdiscState): Promise<void> {
    const h = this.lab.hostOf(node);
    const before = rootQdiscArgs(this.qdisc.get(node) ?? {});
    const after = rootQdiscArgs(state);
    this.qdisc.set(node, state);
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    if (!h.iface || !h.tc) throw envError(`ssh host ${h.conn.name}: ${!h.tc ? 'tc not found (apt-get install iproute2)' : `no interface holds ${h.conn.host.address}`}: bandwidth and delay cannot be shaped there`);
    const dev = sq(h.iface);
    const R = sq(`${h.conn.host.dir}/.faultline/${this.lab.runId}.run`);
    if (after) await h.conn.must(`${before ? '' : `echo "qdisc ${h.iface}" >> ${R} && `}tc qdisc replace dev ${dev} root ${after.join(' ')}`, 'tc qdisc replace');
    else await h.conn.run(`tc qdisc del dev ${dev} root 2>/dev/null; sed -i '/^qdisc ${h.iface}$/d' ${R}`);
  }
}
