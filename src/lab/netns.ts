// The namespace lab: one network namespace per node on a private bridge, network faults by iptables and tc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envError } from '../util/errors.js';
import { startDelayHelper, stopDelayHelper, type DelayHelper } from './delay-helper.js';
import { isRoot, mustRun, runCommand } from './exec.js';
import { checkPlan, findNode, type ExecResult, type Grudge, type Lab, type LabNetwork, type LabNode, type LabOptions, type Link, type DelayedLink, type NetCapability, type PortPlan, type SpawnOptions } from './lab.js';
import { openOutput } from './output.js';
import { chainNames, chainSetup, checkGrudge, delayRules, lossRules, partitionRules, replaceChains, rootQdiscArgs, type QdiscState } from './netshape.js';
import { listRuns, processStartTime, ledgerDir, removeResource, type Resource, type RunLedger } from './ledger.js';
import { markedEnv } from './marker.js';
import { pickSubnet, routePrefixes, type Cidr } from './subnet.js';
import { makeDirs } from '../util/dirs.js';

const NO_ROOT = 'the netns lab needs root (namespaces, veth, iptables): run as root, or use --lab host';
const MAX_NODES = 200;

/** Names carrying the run id; interface names must fit in 15 bytes (run ids are 6). */
export const netnsNames = (runId: string) => ({
  ns: (i: number): string => `fl-${runId}-n${i}`,
  bridge: `flbr${runId}`,
  veth: (i: number): string => `fl${runId}n${i}`,
});

export class NetnsLab implements Lab {
  readonly kind = 'netns' as const;
  readonly runId: string;
  readonly registry: RunLedger;
  readonly net: NetnsNetwork;
  private readonly nodeCount: number;
  private readonly plan: PortPlan;
  private readonly list: LabNode[] = [];
  private readonly children = new Set<ChildProcess>();
  /** Resources this lab created, so down() removes exactly these (the run may own others). */
  private readonly owned: Resource[] = [];
  private isUp = false;
  /** "10.x.y" once up() has claimed a subnet. */
  subnet: string | undefined;

  constructor(opts: LabOptions) {
    if (!Number.isInteger(opts.nodeCount) || opts.nodeCount < 1 || opts.nodeCount > MAX_NODES) {
      throw new Error(`netns lab: node count must be 1..${MAX_NODES}, got ${opts.nodeCount}`);
    }
    if (!/^[a-z0-9]{1,6}$/.test(opts.runId)) throw new Error(`netns lab: run id must be 1-6 of [a-z0-9] (interface names are short), got "${opts.runId}"`);
    this.runId = opts.runId;
    this.registry = opts.registry;
    this.nodeCount = opts.nodeCount;
    this.plan = checkPlan(opts.ports);
    this.net = new NetnsNetwork(this);
  }

  get nodes(): readonly LabNode[] {
    return this.list;
  }

  node(name: string): LabNode {
    return findNode(this.list, name);
  }

  netnsOf(name: string): string {
    return this.node(name).netns!;
  }

  /** Records a resource in the run registry (before it exists) and in this lab's own list. */
  own(r: Resource): void {
    this.registry.add(r);
    this.owned.push(r);
  }

  async forgetOwned(match: (r: Resource) => boolean): Promise<void> {
    for (let i = this.owned.length - 1; i >= 0; i--) if (match(this.owned[i]!)) this.owned.splice(i, 1);
    this.registry.forget(match);
  }

  async up(): Promise<void> {
    if (this.isUp) return;
    if (!isRoot()) throw envError(NO_ROOT);
    try {
      await this.build();
      this.isUp = true;
    } catch (e) {
      await this.down();
      const msg = (e as Error).message;
      if (/ENOENT|not found/.test(msg) && /\b(ip|iptables-restore)\b/.test(msg)) throw envError(`netns lab: ${msg}: apt-get install iproute2 iptables`);
      throw e;
    }
  }

  private async build(): Promise<void> {
    const names = netnsNames(this.runId);
    const subnet = await this.claimSubnet();
    this.subnet = subnet;
    this.list.length = 0;
    for (let i = 1; i <= this.nodeCount; i++) {
      // Each node has its own address, so the plan's port numbers are used as they are.
      const ports = { ...this.plan.ports };
      this.list.push({ name: `n${i}`, ip: `${subnet}.${10 + i}`, clientPort: ports['client']!, ports, peerPorts: this.plan.peer.map((p) => ports[p]!), netns: names.ns(i) });
    }
    this.own({ kind: 'link', name: names.bridge });
    await mustRun('ip', ['link', 'add', names.bridge, 'type', 'bridge']);
    await mustRun('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', names.bridge]);
    await mustRun('ip', ['link', 'set', names.bridge, 'up']);
    // Nodes are independent: build them in parallel (each is ~8 short commands).
    await Promise.all(this.list.map((n, k) => this.buildNode(n, k + 1, subnet)));
  }

  private async buildNode(n: LabNode, i: number, subnet: string): Promise<void> {
    const names = netnsNames(this.runId);
    const ns = n.netns!;
    const veth = names.veth(i);
    this.own({ kind: 'netns', name: ns });
    await mustRun('ip', ['netns', 'add', ns]);
    this.own({ kind: 'link', name: veth });
    // The peer end is created directly inside the namespace, already named eth0.
    await mustRun('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await mustRun('ip', ['link', 'set', veth, 'master', names.bridge, 'up']);
    await mustRun('ip', ['-n', ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0']);
    await mustRun('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    await mustRun('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await mustRun('ip', ['-n', ns, 'route', 'add', 'default', 'via', `${subnet}.1`]);
    const c = chainNames(this.runId);
    for (const [chain, parent] of [
      [c.part, 'INPUT'],
      [c.loss, 'OUTPUT'],
      [c.delay, 'OUTPUT'],
    ] as const) {
      this.own({ kind: 'iptables-chain', chain, parents: [parent], netns: ns });
    }
    await mustRun('ip', ['netns', 'exec', ns, 'iptables-restore', '-w', '--noflush'], chainSetup(this.runId));
  }

  /**
   * Picks a subnet that no route of the host overlaps and claims it with a file created exclusively, so two
   * runs starting together cannot take the same one; a claim left by a dead run is taken over.
   */
  private async claimSubnet(): Promise<string> {
    const dir = join(ledgerDir(), 'subnets');
    makeDirs(dir);
    const routes = JSON.parse(await mustRun('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst?: string }[];
    const taken: Cidr[] = routePrefixes(routes);
    const live = new Set(listRuns().filter((r) => r.ownerAlive).map((r) => r.runId));
    for (let attempt = 0; attempt < 50; attempt++) {
      const subnet = pickSubnet(taken, Math.random);
      const path = join(dir, `${subnet}.claim`);
      const res: Resource = { kind: 'dir', path };
      this.own(res);
      try {
        writeFileSync(path, this.runId, { flag: 'wx' });
        return subnet;
      } catch {
        let holder = '';
        try {
          holder = readFileSync(path, 'utf8').trim();
        } catch {
          // Vanished between our write and read: simply try again.
        }
        if (holder && !live.has(holder)) {
          writeFileSync(path, this.runId);
          return subnet;
        }
        // Held by a live run: forget it so our cleanup never removes their claim.
        await this.forgetOwned((r) => r === res || (r.kind === 'dir' && r.path === path));
        taken.push(routePrefixes([{ dst: `${subnet}.0/24` }])[0]!);
      }
    }
    throw new Error('netns lab: could not claim a free subnet after 50 attempts (run `faultline lab sweep`)');
  }

  spawn(node: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const ns = this.netnsOf(node);
    const out = openOutput(options);
    try {
      // `ip netns exec` setns()es and then execs the command in place: the pid we get is the node's.
      const child = spawn('ip', ['netns', 'exec', ns, command, ...args], {
        cwd: options.cwd,
        env: markedEnv(this.runId, options.env),
        // Own process group: a terminal's Ctrl-C reaches the harness, which tears nodes down in order.
        detached: true,
        stdio: out.stdio,
      });
      out.attach(child);
      if (child.pid !== undefined) {
        const pid = child.pid;
        const r: Resource = { kind: 'process', pid, startTime: processStartTime(pid) ?? '', what: `${command} ${node}` };
        this.own(r);
        this.children.add(child);
        child.once('exit', () => {
          this.children.delete(child);
          void this.forgetOwned((x) => x.kind === 'process' && x.pid === pid);
        });
      }
      return child;
    } finally {
      out.close();
    }
  }

  exec(node: string, command: string, args: string[]): Promise<ExecResult> {
    return runCommand('ip', ['netns', 'exec', this.netnsOf(node), command, ...args]);
  }

  async removeNodePath(_node: string, path: string): Promise<void> {
    rmSync(path, { recursive: true, force: true });
  }

  /** Removes what up() and the network faults created: processes first, then namespaces, links, claims. */
  async down(): Promise<void> {
    await this.net.stopHelpers();
    const procs = this.owned.filter((r) => r.kind === 'process');
    await Promise.all(procs.map((r) => removeResource(r).catch(() => undefined)));
    // Deleting a namespace deletes its eth0, its chains and qdiscs, and the veth's host end with it.
    const nss = this.owned.filter((r) => r.kind === 'netns');
    await Promise.all(nss.map((r) => removeResource(r).catch(() => undefined)));
    const rest = this.owned.filter((r) => r.kind !== 'process' && r.kind !== 'netns' && r.kind !== 'iptables-chain' && r.kind !== 'qdisc').reverse();
    for (const r of rest) await removeResource(r).catch(() => undefined);
    const all = new Set(this.owned);
    await this.forgetOwned((r) => all.has(r) || (r.kind === 'process' && procs.some((p) => p.kind === 'process' && p.pid === r.pid)));
    this.owned.length = 0;
    this.isUp = false;
  }
}

/** Network faults inside the namespaces. Partitions and loss by iptables, bandwidth by tbf, delay by netem or NFQUEUE. */
export class NetnsNetwork implements LabNetwork {
  readonly capabilities: ReadonlySet<NetCapability>;
  private readonly helpers = new Map<string, { helper: DelayHelper; delayMs: number; jitterMs: number }>();
  private readonly qdisc = new Map<string, QdiscState>();
  private netem: boolean | undefined;
  /** NFQUEUE numbers are per namespace, so one fixed queue per node is enough. */
  private static readonly QUEUE = 7;

  constructor(private readonly lab: NetnsLab) {
    this.capabilities = new Set<NetCapability>(isRoot() ? ['partition', 'loss', 'delay', 'bandwidth'] : []);
  }

  missing(cap: NetCapability): string | undefined {
    return this.capabilities.has(cap) ? undefined : NO_ROOT;
  }

  private ip = (n: string): string => this.lab.node(n).ip;

  private names(): string[] {
    return this.lab.nodes.map((n) => n.name);
  }

  private async restore(node: string, chains: Record<string, string[]>): Promise<void> {
    await mustRun('ip', ['netns', 'exec', this.lab.netnsOf(node), 'iptables-restore', '-w', '--noflush'], replaceChains(chains));
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
    this.checkLinks(links);
    const { loss } = chainNames(this.lab.runId);
    await Promise.all(this.names().map((n) => this.restore(n, { [loss]: lossRules(n, links, p, this.ip) })));
  }

  async delay(links: Link[], delayMs: number, jitterMs: number): Promise<void> {
    if (!(delayMs >= 0) || !(jitterMs >= 0)) throw new Error(`delay and jitter must be >= 0 ms, got ${delayMs}, ${jitterMs}`);
    await this.delayEach(links.map((l) => ({ ...l, delayMs })), jitterMs);
  }

  /**
   * Per-link delays in one go (replacing any earlier delay). Each namespace has one helper holding one delay, so
   * every link leaving a given node must carry the same delayMs; different senders may differ.
   */
  async delayEach(links: DelayedLink[], jitterMs: number): Promise<void> {
    for (const l of links) if (!(l.delayMs >= 0)) throw new Error(`delay must be >= 0 ms, got ${l.delayMs} on ${l.from}>${l.to}`);
    if (!(jitterMs >= 0)) throw new Error(`jitter must be >= 0 ms, got ${jitterMs}`);
    this.checkLinks(links);
    const perNode = new Map<string, number>();
    for (const l of links) {
      if (l.from === l.to) continue;
      const d = perNode.get(l.from);
      if (d !== undefined && d !== l.delayMs) throw new Error(`node ${l.from}: links leaving one node must share one delay (${d} vs ${l.delayMs} ms)`);
      perNode.set(l.from, l.delayMs);
    }
    const { delay } = chainNames(this.lab.runId);
    const useNetem = await this.hasNetem();
    await Promise.all(
      this.names().map(async (n) => {
        const to = new Set(links.filter((l) => l.from === n && l.to !== n).map((l) => l.to));
        const delayMs = perNode.get(n) ?? 0;
        const peers = this.names().filter((x) => x !== n);
        // netem shapes a whole device: use it only when every link leaving this node is to be delayed.
        const viaNetem = useNetem && to.size > 0 && peers.every((p) => to.has(p));
        const q = { ...this.qdisc.get(n) };
        q.netemDelayMs = viaNetem ? delayMs : undefined;
        q.netemJitterMs = viaNetem ? jitterMs : undefined;
        await this.setQdisc(n, q);
        if (to.size > 0 && !viaNetem) {
          await this.ensureHelper(n, delayMs, jitterMs);
          await this.restore(n, { [delay]: delayRules(n, links, NetnsNetwork.QUEUE, this.ip) });
        } else {
          await this.restore(n, { [delay]: [] });
          await this.stopHelper(n);
        }
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
        await this.stopHelper(n);
        await this.setQdisc(n, {});
      }),
    );
  }

  /** Kills every delay helper (lab teardown). */
  async stopHelpers(): Promise<void> {
    await Promise.all([...this.helpers.keys()].map((n) => this.stopHelper(n)));
    this.qdisc.clear();
  }

  /** Which mechanism delay uses on this kernel (for results and messages). */
  async delayMechanism(): Promise<'netem' | 'nfqueue'> {
    return (await this.hasNetem()) ? 'netem' : 'nfqueue';
  }

  private checkLinks(links: Link[]): void {
    for (const l of links) {
      this.lab.node(l.from);
      this.lab.node(l.to);
    }
  }

  /** Probes once: can this kernel add a netem qdisc? (Not on the VM this was written on.) */
  private async hasNetem(): Promise<boolean> {
    if (this.netem === undefined) {
      const n = this.lab.nodes[0];
      if (!n) return false;
      const ns = n.netns!;
      this.lab.own({ kind: 'qdisc', dev: 'lo', netns: ns });
      const r = await runCommand('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
      this.netem = r.exitCode === 0;
      if (this.netem) await runCommand('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
      await this.lab.forgetOwned((x) => x.kind === 'qdisc' && x.dev === 'lo' && x.netns === ns);
    }
    return this.netem;
  }

  private async setQdisc(node: string, state: QdiscState): Promise<void> {
    const ns = this.lab.netnsOf(node);
    const before = rootQdiscArgs(this.qdisc.get(node) ?? {});
    const after = rootQdiscArgs(state);
    this.qdisc.set(node, state);
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    if (after) {
      if (!before) this.lab.own({ kind: 'qdisc', dev: 'eth0', netns: ns });
      await mustRun('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', ...after]);
    } else {
      await runCommand('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
      await this.lab.forgetOwned((x) => x.kind === 'qdisc' && x.dev === 'eth0' && x.netns === ns);
    }
  }

  private async ensureHelper(node: string, delayMs: number, jitterMs: number): Promise<void> {
    const h = this.helpers.get(node);
    if (h && h.delayMs === delayMs && h.jitterMs === jitterMs && h.helper.child.exitCode === null) return;
    await this.stopHelper(node);
    const ns = this.lab.netnsOf(node);
    // Recorded in the lab's own list too, so down() kills it even if stopHelpers() was skipped.
    const helper = await startDelayHelper((r) => this.lab.own(r), this.lab.runId, ns, NetnsNetwork.QUEUE, delayMs, jitterMs, hashSeed(`${this.lab.runId}/${node}`));
    this.helpers.set(node, { helper, delayMs, jitterMs });
  }

  private async stopHelper(node: string): Promise<void> {
    const h = this.helpers.get(node);
    if (!h) return;
    this.helpers.delete(node);
    await stopDelayHelper(h.helper);
    await this.lab.forgetOwned((x) => x.kind === 'process' && x.pid === h.helper.pid);
  }
}

/** A stable 31-bit seed from a string, so the helper's jitter sequence is the same for the same run and node. */
function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) & 0x7fffffff;
}
