// The System seam: how to find, start, stop, kill and pause a cluster of one store and read its leader; optional
// capabilities (membership, leader transfer, metrics, election log, clock control) are separate interfaces.
import type { Client, ClientOptions } from '../client/client.js';
import type { Lab, PortPlan } from '../lab/lab.js';

/** Consensus settings every system maps onto its own flags (and validates: each has its own rules). */
export interface RaftSettings {
  heartbeatMs: number;
  electionMs: number;
  preVote: boolean;
  snapshotCount?: number;
  /** Passed through verbatim to every node. */
  extraFlags?: string[];
  /** The system's own switches by name (System.options), e.g. antietcd's staleRead. */
  options?: Record<string, SystemOptionValue>;
}

export type SystemOptionValue = boolean | number;

/** One of a system's own switches, offered as `--<flag>` on every command that starts a cluster. */
export interface SystemOption {
  /** Key in RaftSettings.options and in spec files (camelCase). */
  name: string;
  /** Command-line flag without the dashes (kebab-case). */
  flag: string;
  type: 'boolean' | 'integer';
  /** Shown in --help and the README. */
  summary: string;
  /** Used when neither spec nor flag sets it; recorded in test.json either way. */
  default: SystemOptionValue;
  min?: number;
}

/** One election event parsed from a node's log. */
export interface ElectionEvent {
  /** Nanoseconds since the test began (same clock as the history). */
  time: number;
  node: string;
  term: number;
  event: 'pre-candidate' | 'candidate' | 'leader' | 'follower' | 'lost-leader' | 'vote-refused';
  /** The raw log line, for report excerpts. */
  line: string;
  /** Raft member id of the node that wrote the line, when the line names it: maps ids in other lines to nodes. */
  member?: string;
  /** On 'vote-refused': the vote request this node refused or ignored, and why. */
  vote?: VoteRefusal;
}

/** A (pre-)vote a node refused: Raft grants one only to a candidate whose log is at least as up to date. */
export interface VoteRefusal {
  /** Member id of the candidate. */
  candidate: string;
  preVote: boolean;
  /** Last entry (term, index) of the refusing node's log and of the candidate's. */
  own: { term: number; index: number };
  theirs: { term: number; index: number };
  /** The member this node had voted for in the term, when any. */
  votedFor?: string;
  /**
   * log: the candidate's log was behind; voted: this node had voted for another in the term; leader: it still
   * followed a leader; term: a pre-vote whose term was not ahead of this node's (etcd grants a pre-vote with an
   * up-to-date log whenever its term is ahead); lease: it had heard from a leader within the election timeout
   * (etcd's CheckQuorum lease); learner: a learner does not vote; ignored: ignored for a reason not recognised.
   */
  why: 'log' | 'voted' | 'leader' | 'term' | 'lease' | 'learner' | 'ignored';
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
  /** Explicit binary directory or path (--bin). */
  binPath?: string;
}

/** Membership changes (Jepsen's "grow/shrink"): remove a member, add it back as a learner, promote it. */
export interface Membership {
  members(): Promise<MemberInfo[]>;
  removeMember(node: string): Promise<void>;
  addLearner(node: string): Promise<void>;
  promoteLearner(node: string): Promise<void>;
}

export interface LeaderTransfer {
  transferLeadership(to: string): Promise<void>;
}

/** Prometheus-style metrics sampled into <runDir>/nodes/<name>/metrics.jsonl. */
export interface MetricsSource {
  startMetrics(intervalMs: number): void;
  stopMetrics(): Promise<MetricsSample[]>;
}

/** Per-node clock control (libfaketime and the like): offsets and rates applied while the node runs. */
export interface ClockControl {
  /** Sets node's clock to real time + offsetMs, running at `rate` (1 = real speed). */
  setClock(node: string, offsetMs: number, rate: number): Promise<void>;
  resetClock(node: string): Promise<void>;
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
  /** The leader's node name as agreed by a majority of reachable nodes; undefined when none is known. */
  leader(): Promise<string | undefined>;
  status(node: string): Promise<NodeStatus | undefined>;
  /** Each node's log file (what the report quotes and parses). */
  logFile(node: string): string;
  /** Stop every node (SIGKILL if needed), remove temporary data dirs. Safe to call twice. */
  teardown(): Promise<void>;
  /** Called when a node exits that nobody stopped: a crash of the store is a finding, never silent. */
  onCrash(listener: (crash: NodeCrash) => void): void;
  /** Optional capabilities: absent when the system has no such thing. */
  readonly membership?: Membership;
  readonly transfer?: LeaderTransfer;
  readonly metrics?: MetricsSource;
  readonly clock?: ClockControl;
  /** Election timeline parsed from all nodes' logs so far. */
  elections?(): Promise<ElectionEvent[]>;
}

/** A node process that exited on its own (not killed, stopped or removed by the harness). */
export interface NodeCrash {
  node: string;
  pid: number | undefined;
  /** "exited with code 1", "killed by SIGSEGV". */
  exit: string;
  /** The last lines of its log and stdout, as the node wrote them, below the lines naming its error (logExcerpt). */
  logTail: string[];
}

/** What a system may offer beyond the core; nemeses and the report ask for these by name. */
export type Capability = 'membership' | 'transfer' | 'metrics' | 'election-log' | 'clock';

/** Reads of a stored run: what the report can learn from a node's log without a live cluster. */
export interface LogReader {
  /** File name of a node's log inside nodes/<name>/ (etcd.log, antietcd.log, ...). */
  readonly logName: string;
  /** Election events from one node's log text; t0EpochMs maps wall-clock log times onto history time. */
  parseElections(text: string, node: string, t0EpochMs: number): ElectionEvent[];
  /** Epoch ms a log line was written, or undefined when it carries no time (report excerpts). */
  lineTime(line: string): number | undefined;
}

export interface System extends LogReader {
  readonly name: string;
  /** One line for --help and the README. */
  readonly summary: string;
  /** How to install it, for the exit-4 message (`apt-get install etcd-server etcd-client`). */
  readonly installHint: string;
  /** The ports every node needs. */
  readonly ports: PortPlan;
  readonly capabilities: ReadonlySet<Capability>;
  /** Why a capability is missing, in one line naming what would provide it. */
  missing(cap: Capability): string | undefined;
  /** The system's own switches (offered as flags and spec fields). */
  readonly options: readonly SystemOption[];
  /** Problems with these settings that the system would refuse (each one line); empty when fine. */
  checkSettings(settings: RaftSettings): string[];
  /** Find binaries and report the version; throws an environment error (exit 4) naming the fix when missing. */
  detect(binPath?: string): Promise<{ version: string; bin: string }>;
  createCluster(options: ClusterOptions): Promise<Cluster>;
  /** The workload's client for this store. */
  createClient(options: ClientOptions): Client;
  /** Which metrics series the Raft-health panel reads, or why there are none (shown instead of empty charts). */
  readonly metricsNote?: string;
}
