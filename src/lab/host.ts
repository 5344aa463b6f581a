// The host lab: every node on 127.0.0.1 with its own ports; as root each node runs as its own uid so
// iptables owner matching can cut links between nodes on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, isRoot, missingNetTools, mustRun, runCommand } from './exec.js';
import { checkPlan, findNode, type ExecResult, type Grudge, type Lab, type LabNetwork, type LabNode, type LabOptions, type Link, type NetCapability, type PortPlan, type SpawnOptions } from './lab.js';
import { openOutput } from './output.js';
import { processStartTime, ledgerDir, removeResource, type Resource, type RunLedger } from './ledger.js';
import { markedEnv } from './marker.js';
import { makeDirs } from '../util/dirs.js';

/** Uids 61000..61999 are rarely assigned (Debian's dynamic system range ends at 60999 for users, 59999 for system). */
const UID_BASE = 61000;
const UID_BLOCK = 16;
const UID_BLOCKS = 60;

const NO_ROOT = 'host lab network faults need root (iptables): run faultline as root, or use only process faults';

/** Chain of a run: iptables limits chain names to 28 characters; run ids are 6. */
export const hostChain = (runId: string): string => `FL-${runId}`;

export class HostLab implements Lab {
  readonly kind = 'host' as const;
  readonly runId: string;
  readonly registry: RunLedger;
  readonly net: HostNetwork;
  private readonly nodeCount: number;
  private readonly plan: PortPlan;
  private readonly list: LabNode[] = [];
  private readonly children = new Set<ChildProcess>();
  private uidLock: string | undefined;
  private isUp = false;

  constructor(opts: LabOptions) {
    if (!Number.isInteger(opts.nodeCount) || opts.nodeCount < 1 || opts.nodeCount > UID_BLOCK) {
      throw new Error(`host lab: node count must be 1..${UID_BLOCK}, got ${opts.nodeCount}`);
    }
    this.runId = opts.runId;
    this.registry = opts.registry;
    this.nodeCount = opts.nodeCount;
    this.plan = checkPlan(opts.ports);
    this.net = new HostNetwork(this);
  }

  /** Empty until up() has picked ports (and uids, as root). */
  get nodes(): readonly LabNode[] {
    return this.list;
  }

  get chain(): string {
    return hostChain(this.runId);
  }

  async up(): Promise<void> {
    if (this.isUp) return;
    // Every node shares 127.0.0.1, so each port of the system's plan is a free port of its own.
    const names = Object.keys(this.plan.ports);
    const free = await freePorts(this.nodeCount * names.length);
    const uids = isRoot() ? this.claimUids() : undefined;
    this.list.length = 0;
    for (let i = 0; i < this.nodeCount; i++) {
      const ports = Object.fromEntries(names.map((p, k) => [p, free[i * names.length + k]!]));
      this.list.push({
        name: `n${i + 1}`,
        ip: '127.0.0.1',
        clientPort: ports['client']!,
        ports,
        peerPorts: this.plan.peer.map((p) => ports[p]!),
        uid: uids === undefined ? undefined : uids + i,
      });
    }
    if (this.net.capabilities.size > 0) await this.net.install();
    this.isUp = true;
  }

  /**
   * A block of uids no other live run holds: a lock directory per block, recorded in the registry (so a
   * crashed run's block is freed by sweep). mkdir is atomic, so two runs never get the same block.
   */
  private claimUids(): number {
    const dir = join(ledgerDir(), 'uids');
    makeDirs(dir);
    const start = Math.floor(Math.random() * UID_BLOCKS);
    for (let k = 0; k < UID_BLOCKS; k++) {
      const block = (start + k) % UID_BLOCKS;
      const path = join(dir, String(UID_BASE + block * UID_BLOCK));
      const res: Resource = { kind: 'dir', path };
      this.registry.add(res);
      try {
        mkdirSync(path);
        this.uidLock = path;
        return UID_BASE + block * UID_BLOCK;
      } catch {
        // Held by another run: forget it at once so our cleanup never removes their lock.
        this.registry.forget((r) => r.kind === 'dir' && r.path === path);
      }
    }
    throw new Error(`host lab: all ${UID_BLOCKS} uid blocks from ${UID_BASE} are in use (run \`faultline lab sweep\`)`);
  }

  node(name: string): LabNode {
    return findNode(this.list, name);
  }

  spawn(node: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const n = this.node(node);
    const out = openOutput(options);
    try {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: markedEnv(this.runId, options.env),
        // Node clears supplementary groups when uid/gid are set, like setpriv --clear-groups.
        uid: n.uid,
        gid: n.uid,
        // Own process group: a terminal's Ctrl-C reaches us, and we tear nodes down in order.
        detached: true,
        stdio: out.stdio,
      });
      out.attach(child);
      if (child.pid !== undefined) {
        // Registered in the same tick as the fork; a SIGKILL in between is covered by the environment marker.
        this.registry.add({ kind: 'process', pid: child.pid, startTime: processStartTime(child.pid) ?? '', what: `${command} ${node}` });
        this.children.add(child);
        const pid = child.pid;
        child.once('exit', () => {
          this.children.delete(child);
          this.registry.forget((r) => r.kind === 'process' && r.pid === pid);
        });
      }
      return child;
    } finally {
      out.close();
    }
  }

  exec(node: string, command: string, args: string[]): Promise<ExecResult> {
    const n = this.node(node);
    return runCommand(command, args, { uid: n.uid, gid: n.uid });
  }

  async removeNodePath(_node: string, path: string): Promise<void> {
    rmSync(path, { recursive: true, force: true });
  }

  async down(): Promise<void> {
    for (const child of [...this.children]) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        await removeResource({ kind: 'process', pid: child.pid, startTime: processStartTime(child.pid) ?? '', what: 'node' }).catch(() => undefined);
      }
    }
    await this.net.uninstall();
    if (this.uidLock) {
      const path = this.uidLock;
      await removeResource({ kind: 'dir', path });
      this.registry.forget((r) => r.kind === 'dir' && r.path === path);
      this.uidLock = undefined;
    }
    this.isUp = false;
  }
}

/**
 * Network faults on loopback by iptables owner matching (root only).
 *
 * Which packets make "A drops what B sends" on loopback, where every peer link is a TCP connection dialed
 * by one side to the other's peer port:
 *  - on connections B dialed to A: B's packets have B's uid as owner and A's peer port as destination;
 *  - on connections A dialed to B: B's packets are replies from B's accepted socket (owner B's uid), and the
 *    destination is an ephemeral port of A we cannot name. So every new connection is marked in conntrack
 *    with the dialer's uid when it opens (these marking rules are installed at up(), before any node runs,
 *    because peer connections live for the whole run), and we drop B's packets on connections marked A.
 * Both together are exactly the directed link B→A, whatever side dialed. DROP, never REJECT.
 */
export class HostNetwork implements LabNetwork {
  readonly capabilities: ReadonlySet<NetCapability>;
  private installed = false;
  private partitionRules: string[] = [];
  private lossRules: string[] = [];

  constructor(private readonly lab: HostLab) {
    this.capabilities = new Set<NetCapability>(isRoot() && !missingNetTools() ? ['partition', 'loss'] : []);
  }

  missing(cap: NetCapability): string | undefined {
    if (this.capabilities.has(cap)) return undefined;
    if (!isRoot()) return NO_ROOT;
    const tools = missingNetTools();
    if (tools) return `host lab network faults need iptables: ${tools}`;
    if (cap === 'delay') return 'the host lab cannot delay packets between nodes on loopback: use --lab netns (root) for delay and jitter';
    if (cap === 'bandwidth') return 'the host lab cannot limit bandwidth on loopback (all nodes share one device): use --lab netns';
    return `host lab: ${cap} is not supported`;
  }

  private need(cap: NetCapability): void {
    const why = this.missing(cap);
    if (why) throw new Error(why);
  }

  /** Creates the run's chain, jumped to from OUTPUT, with the connection-marking rules. */
  async install(): Promise<void> {
    if (this.installed) return;
    const chain = this.lab.chain;
    this.lab.registry.add({ kind: 'iptables-chain', chain, parents: ['OUTPUT'] });
    await mustRun('iptables', ['-w', '-N', chain]);
    await this.apply();
    // Inserted first so that no ACCEPT earlier in OUTPUT can bypass our drops.
    await mustRun('iptables', ['-w', '-I', 'OUTPUT', '1', '-j', chain]);
    this.installed = true;
  }

  async uninstall(): Promise<void> {
    const chain = this.lab.chain;
    await removeResource({ kind: 'iptables-chain', chain, parents: ['OUTPUT'] });
    this.lab.registry.forget((r) => r.kind === 'iptables-chain' && r.chain === chain);
    this.installed = false;
    this.partitionRules = [];
    this.lossRules = [];
  }

  private markRules(): string[] {
    return this.lab.nodes
      .filter((n) => n.uid !== undefined)
      .map((n) => `-m conntrack --ctstate NEW -m owner --uid-owner ${n.uid} -j CONNMARK --set-mark ${n.uid}`);
  }

  /** The matches that select packets `from` sends to `to` (see the class comment): one per peer port, plus replies. */
  private linkMatches(link: Link): string[] {
    const from = this.lab.node(link.from);
    const to = this.lab.node(link.to);
    return [
      ...to.peerPorts.map((port) => `-p tcp -m owner --uid-owner ${from.uid} -d ${to.ip} --dport ${port}`),
      `-p tcp -m owner --uid-owner ${from.uid} -m connmark --mark ${to.uid}`,
    ];
  }

  /** Rewrites the whole chain atomically (iptables-restore --noflush flushes only the chains it declares). */
  private async apply(): Promise<void> {
    const chain = this.lab.chain;
    const lines = ['*filter', `:${chain} - [0:0]`];
    for (const r of [...this.markRules(), ...this.partitionRules, ...this.lossRules]) lines.push(`-A ${chain} ${r}`);
    lines.push('COMMIT', '');
    await mustRun('iptables-restore', ['-w', '--noflush'], lines.join('\n'));
  }

  async partition(grudge: Grudge): Promise<void> {
    this.need('partition');
    const rules: string[] = [];
    for (const [dropper, senders] of Object.entries(grudge)) {
      this.lab.node(dropper);
      for (const s of senders) {
        if (s === dropper) continue;
        for (const m of this.linkMatches({ from: s, to: dropper })) rules.push(`${m} -j DROP`);
      }
    }
    this.partitionRules = rules;
    await this.apply();
  }

  async heal(): Promise<void> {
    if (!this.installed) return;
    this.partitionRules = [];
    await this.apply();
  }

  async loss(links: Link[], p: number): Promise<void> {
    this.need('loss');
    if (!(p >= 0 && p <= 1)) throw new Error(`loss probability must be in 0..1, got ${p}`);
    this.lossRules = links.flatMap((l) =>
      this.linkMatches(l).map((m) => `${m} -m statistic --mode random --probability ${p} -j DROP`),
    );
    await this.apply();
  }

  async delay(): Promise<void> {
    this.need('delay');
  }

  async bandwidth(): Promise<void> {
    this.need('bandwidth');
  }

  async clearShaping(): Promise<void> {
    if (!this.installed) return;
    this.lossRules = [];
    await this.apply();
  }
}
