// The Lab seam: where nodes live and how their network is cut. host, netns and ssh implement it.
import type { ChildProcess } from 'node:child_process';

export type LabKind = 'host' | 'netns' | 'ssh';

/** One node's place in a lab: its addresses and the identity its processes run under. */
export interface LabNode {
  /** Logical name used everywhere in the history and the CLI: n1, n2, ... */
  name: string;
  /** Address clients and peers use to reach this node (10.x.y.z in netns, 127.0.0.1 on host). */
  ip: string;
  /** The port clients use (the plan's `client` port). */
  clientPort: number;
  /** Every port of the system's plan by name (client, peer, metrics, quorum, ...). */
  ports: Readonly<Record<string, number>>;
  /** Ports peers dial on this node: a partition cuts exactly these links. */
  peerPorts: readonly number[];
  /** Namespace name (netns lab), carrying the run id: fl-<runid>-n1. */
  netns?: string;
  /** Numeric uid/gid the node's processes run as (host lab, for iptables owner matching). */
  uid?: number;
}

/** A directed link: packets sent by `from` to `to`. */
export interface Link {
  from: string;
  to: string;
}

/** A directed link with its own added one-way delay (ms). */
export interface DelayedLink extends Link {
  delayMs: number;
}

/**
 * Jepsen's grudge: for each node, the peers whose packets it drops (DROP, never REJECT).
 * { n1: ['n3'], n3: ['n1'] } is the symmetric cut between n1 and n3.
 */
export type Grudge = Record<string, string[]>;

export type NetCapability = 'partition' | 'loss' | 'delay' | 'bandwidth';

/** Network faults of a lab. Each call replaces the previous fault of the same kind; heal/clear undo. */
export interface LabNetwork {
  /** What this lab can do here (e.g. host lab without root: nothing). */
  readonly capabilities: ReadonlySet<NetCapability>;
  /** Why a capability is missing, for error messages ("host lab network faults need root: run as root or use sudo"). */
  missing(cap: NetCapability): string | undefined;
  partition(grudge: Grudge): Promise<void>;
  heal(): Promise<void>;
  /** Drop packets on these links at random with probability p (0..1). */
  loss(links: Link[], p: number): Promise<void>;
  /** Hold packets on these links for delayMs ± jitterMs (tc netem where present, NFQUEUE fallback otherwise). */
  delay(links: Link[], delayMs: number, jitterMs: number): Promise<void>;
  /** Optional: a different delay per link (labs that cannot, omit it). Replaces any earlier delay. */
  delayEach?(links: DelayedLink[], jitterMs: number): Promise<void>;
  /** Limit egress bandwidth of these nodes (kbit/s). */
  bandwidth(nodes: string[], kbit: number): Promise<void>;
  /** Remove loss, delay and bandwidth shaping (not partitions). */
  clearShaping(): Promise<void>;
}

export interface SpawnOptions {
  /** File receiving stdout+stderr (appended). */
  logFile?: string;
  /**
   * Prefix every line with the harness's wall-clock time as it arrives (ISO 8601 and a space), for systems whose
   * logs carry no timestamps of their own: the election timeline needs one.
   */
  stampLines?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

export type { ExecResult } from './exec.js';
import type { ExecResult } from './exec.js';

/**
 * A lab: bring nodes up, run commands on a node, cut/shape the network, tear down.
 * Every resource it creates carries `runId` and is recorded in the run registry so `lab sweep` can remove it
 * after a crash.
 */
export interface Lab {
  readonly kind: LabKind;
  readonly runId: string;
  readonly nodes: readonly LabNode[];
  readonly net: LabNetwork;
  /** The run's registry, so systems and nemeses can record what they create (data dirs, strace). */
  readonly registry?: import('./ledger.js').RunLedger;
  /** Create the nodes' network places (namespaces, bridge, uids, rule chains). Idempotent. */
  up(): Promise<void>;
  /** Start a long-running process on a node (in its namespace / as its uid). */
  spawn(node: string, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Run a short command on a node and wait for it. */
  exec(node: string, command: string, args: string[]): Promise<ExecResult>;
  /**
   * Remove a file or directory of a node's, given by its local path under the node's directory, where the node
   * sees it: the path itself on this machine, its mirror on the node's host for the ssh lab (a wiped member).
   */
  removeNodePath(node: string, path: string): Promise<void>;
  /** Remove everything this lab created. Safe to call twice, and after a partial up(). */
  down(): Promise<void>;
}

/**
 * The ports a system asks for on every node. `ports` gives each a name and the number used where every node
 * has an address of its own (netns); the host lab picks free ports instead. `client` must be one of them.
 */
export interface PortPlan {
  ports: Readonly<Record<string, number>>;
  /** Names of the ports peers dial (etcd: peer; antietcd: client; ZooKeeper: quorum and election). */
  peer: readonly string[];
}

/** What every lab implementation's constructor takes: `new HostLab(opts)`, `new NetnsLab(opts)`. */
export interface LabOptions {
  runId: string;
  nodeCount: number;
  /** The system's port plan (System.ports). */
  ports: PortPlan;
  /** Every resource the lab creates is added here before it is created. */
  registry: import('./ledger.js').RunLedger;
  /** The ssh lab's hosts (--hosts or --hosts-file); other labs ignore it. */
  ssh?: import('./ssh-hosts.js').SshSource;
}

/** A plan every lab can honour: a `client` port, whole port numbers, and peer ports that are in the plan. */
export function checkPlan(plan: PortPlan): PortPlan {
  if (plan.ports['client'] === undefined) throw new Error('port plan: a system must name a client port');
  for (const [name, port] of Object.entries(plan.ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port plan: ${name} port ${port} is not a TCP port`);
  }
  for (const p of plan.peer) if (plan.ports[p] === undefined) throw new Error(`port plan: peer port "${p}" is not in the plan`);
  return plan;
}

/** A lab's node by its logical name; an unknown name is an error listing the nodes there are. */
export function findNode(nodes: readonly LabNode[], name: string): LabNode {
  const n = nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node named ${name} in this lab (nodes: ${nodes.map((x) => x.name).join(', ')})`);
  return n;
}
