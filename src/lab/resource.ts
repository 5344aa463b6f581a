// What a run's ledger records: the kinds of resources a lab can create, and what a sweep reports (types only,
// so the SSH sweep can name them without importing the ledger that loads it).

/**
 * What a run can leave behind. Processes are identified by pid *and* their kernel start time, so a
 * recycled pid is never signalled by mistake.
 */
export type Resource =
  | { kind: 'process'; pid: number; startTime: string; what: string }
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  /** An iptables chain in `table` (default filter) jumped to from `parents` (e.g. OUTPUT), in `netns` or the host. */
  | { kind: 'iptables-chain'; chain: string; parents: string[]; table?: string; netns?: string }
  | { kind: 'qdisc'; dev: string; netns?: string }
  | { kind: 'dir'; path: string }
  | { kind: 'cgroup'; path: string }
  /** Whatever run `runId` created on an SSH host: the host's own record lists it (src/lab/ssh-remote.ts). */
  | { kind: 'ssh-host'; runId: string; host: import('./ssh-hosts.js').SshHost; knownHosts: string; hostKeyChecking: import('./ssh-hosts.js').HostKeyChecking };

/** What a sweep did for one run. */
export interface SweepReport {
  runId: string;
  ownerAlive: boolean;
  removed: string[];
  errors: string[];
}
