// The System seam: how to install-check, start, stop, kill, pause a cluster of one store, and read its state.
import type { Lab } from '../lab/lab.js';

/** Raft settings every system maps onto its own flags. */
export interface RaftSettings {
  heartbeatMs: number;
  electionMs: number;
  preVote: boolean;
  snapshotCount?: number;
  /** Passed through verbatim to every node. */
  extraFlags?: string[];
}

/** One election event parsed from a node's log. */
export interface ElectionEvent {
  /** Nanoseconds since the test began (same clock as the history). */
  time: number;
  node: string;
  term: number;
  event: 'pre-candidate' | 'candidate' | 'leader' | 'follower' | 'lost-leader';
  /** The raw log line, for report excerpts. */
  line: string;
}

export interface MemberInfo {
  id: string;
  name: string;
  isLearner: boolean;
  peerUrls: string[];
  clientUrls: string[];
}

export interface NodeStatus {
  node: string;
  /** Member id of the leader this node believes in, or undefined. */
  leaderId?: string;
  memberId: string;
  raftIndex: number;
  raftTerm: number;
}

/** One sample of a node's Prometheus metrics (only the series faultline uses). */
export interface MetricsSample {
  time: number;
  node: string;
  values: Record<string, number>;
}

export interface ClusterOptions {
  lab: Lab;
  settings: RaftSettings;
  /** Directory of this run: node logs go to <dir>/nodes/<name>/. */
  runDir: string;
  /** Monotonic zero of the test (process.hrtime.bigint() at start), so log times map onto history time. */
  t0: bigint;
  /** Explicit binary directory or path (--etcd-bin). */
  binPath?: string;
}

/** A running cluster of one system in one lab. Node arguments are logical names (n1...). */
export interface Cluster {
  readonly system: string;
  readonly version: string;
  readonly nodes: readonly string[];
  /** Base URL a client uses for a node (http://ip:port). */
  clientUrl(node: string): string;
  /** Start every node and wait until healthy (a leader and a successful write). */
  start(timeoutMs?: number): Promise<void>;
  waitHealthy(timeoutMs?: number): Promise<void>;
  pid(node: string): number | undefined;
  kill(node: string): Promise<void>;
  /** Restart a stopped or killed node with the same data dir. */
  restart(node: string): Promise<void>;
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
  stop(node: string): Promise<void>;
  isRunning(node: string): boolean;
  isPaused(node: string): boolean;
  /** The leader's node name, from status + member list of reachable nodes; undefined when none is known. */
  leader(): Promise<string | undefined>;
  status(node: string): Promise<NodeStatus | undefined>;
  members(): Promise<MemberInfo[]>;
  /** Membership: remove a member, add it back as a learner (wiping its data), promote it. */
  removeMember(node: string): Promise<void>;
  addLearner(node: string): Promise<void>;
  promoteLearner(node: string): Promise<void>;
  transferLeadership(to: string): Promise<void>;
  /** Election timeline parsed from all nodes' logs so far. */
  elections(): Promise<ElectionEvent[]>;
  /** Start/stop sampling /metrics of every node into <runDir>/nodes/<name>/metrics.jsonl. */
  startMetrics(intervalMs: number): void;
  stopMetrics(): Promise<MetricsSample[]>;
  /** Stop every node (SIGKILL if needed), remove temporary data dirs. Safe to call twice. */
  teardown(): Promise<void>;
}

export interface System {
  readonly name: string;
  /** Find binaries and report the version; throws an environment error (exit 4) naming the fix when missing. */
  detect(binPath?: string): Promise<{ version: string; bin: string }>;
  createCluster(options: ClusterOptions): Promise<Cluster>;
}
