// The flags that choose and configure the store, declared once for every command that starts a cluster:
// --system, --bin (and the old --etcd-bin), and each system's own switches (--stale-read, ...).
import { allSystemOptions, SYSTEM_NAMES } from '../system/index.js';
import type { SystemOption, SystemOptionValue } from '../system/system.js';
import { parseLabKind } from '../lab/factory.js';
import type { LabKind } from '../lab/lab.js';
import { usageError } from '../util/errors.js';
import type { OptionSpec } from '../util/args.js';

export const SYSTEM_FLAGS: OptionSpec = {
  system: { type: 'string' },
  bin: { type: 'string' },
  'etcd-bin': { type: 'string' },
  ...Object.fromEntries(allSystemOptions().map(({ option }) => [option.flag, { type: 'string' as const }])),
};

/** The --help lines of these flags, aligned like every usage text. */
export function systemFlagsUsage(): string {
  const lines = [
    `  --system NAME           the store: ${SYSTEM_NAMES.join(', ')} (default: etcd when installed, else antietcd from npm)`,
    '  --bin PATH              the store\'s binary or its directory (--etcd-bin still works, deprecated)',
  ];
  for (const { system, option } of allSystemOptions()) {
    const arg = option.type === 'boolean' ? ' on|off' : ' MS';
    lines.push(`  --${(option.flag + arg).padEnd(21)} ${system}: ${option.summary}`);
  }
  return lines.join('\n');
}

export interface SystemFlags {
  system?: string;
  binPath?: string;
  systemOptions?: Record<string, SystemOptionValue>;
}

function optionValue(command: string, o: SystemOption, raw: string): SystemOptionValue {
  if (o.type === 'boolean') {
    if (['on', '1', 'true', 'yes'].includes(raw)) return true;
    if (['off', '0', 'false', 'no'].includes(raw)) return false;
    throw usageError(`faultline ${command}: --${o.flag} must be on or off, got "${raw}"`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (o.min ?? 0)) throw usageError(`faultline ${command}: --${o.flag} must be an integer >= ${o.min ?? 0}, got "${raw}"`);
  return n;
}

/**
 * Reads the flags above from parsed values. A system option of another system than the one named is a usage
 * error here; with no --system the registry checks it once the default system is known.
 */
export function parseSystemFlags(command: string, values: Record<string, unknown>, warn: (line: string) => void = (l) => process.stderr.write(l + '\n')): SystemFlags {
  const out: SystemFlags = {};
  const system = values['system'];
  if (typeof system === 'string') {
    if (!SYSTEM_NAMES.includes(system)) throw usageError(`faultline ${command}: unknown --system "${system}" (known: ${SYSTEM_NAMES.join(', ')})`);
    out.system = system;
  }
  const bin = values['bin'];
  const old = values['etcd-bin'];
  if (typeof old === 'string') {
    warn(`faultline ${command}: --etcd-bin is deprecated and will be removed in the next release: use --bin`);
    if (typeof bin === 'string' && bin !== old) throw usageError(`faultline ${command}: --bin and --etcd-bin disagree; give --bin only`);
  }
  const path = typeof bin === 'string' ? bin : typeof old === 'string' ? old : undefined;
  if (path !== undefined) out.binPath = path;
  for (const { system: owner, option } of allSystemOptions()) {
    const raw = values[option.flag];
    if (typeof raw !== 'string') continue;
    if (out.system !== undefined && out.system !== owner) throw usageError(`faultline ${command}: --${option.flag} is an option of ${owner}, not of ${out.system}`);
    (out.systemOptions ??= {})[option.name] = optionValue(command, option, raw);
  }
  return out;
}

/**
 * The flags that describe the cluster, declared once for `run` and `lab up` (and `bench`, which takes the lab and
 * size): where nodes live, how many, the consensus timings, and the store.
 */
export const CLUSTER_FLAGS: OptionSpec = {
  lab: { type: 'string' },
  hosts: { type: 'string' },
  'hosts-file': { type: 'string' },
  nodes: { type: 'string' },
  heartbeat: { type: 'string' },
  election: { type: 'string' },
  'pre-vote': { type: 'string' },
  ...SYSTEM_FLAGS,
};

export interface ClusterFlags extends SystemFlags {
  lab?: LabKind;
  hosts?: string[];
  hostsFile?: string;
  nodes?: number;
  heartbeatMs?: number;
  electionMs?: number;
  preVote?: boolean;
}

function wholeNumber(command: string, name: string, raw: unknown, min: number, max = Infinity): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`faultline ${command}: --${name} must be an integer ${max === Infinity ? `>= ${min}` : `${min}..${max}`}, got "${raw}"`);
  return n;
}

/** Reads CLUSTER_FLAGS from parsed values, with the same checks and messages on every command. */
export function parseClusterFlags(command: string, values: Record<string, unknown>, warn?: (line: string) => void): ClusterFlags {
  const out: ClusterFlags = parseSystemFlags(command, values, warn);
  let lab: LabKind | undefined;
  try {
    lab = parseLabKind(typeof values['lab'] === 'string' ? values['lab'] : undefined);
  } catch (e) {
    throw usageError(`faultline ${command}: --lab: ${(e as Error).message}`);
  }
  const hosts = typeof values['hosts'] === 'string' ? values['hosts'].split(',').filter((h) => h !== '') : undefined;
  const hostsFile = typeof values['hosts-file'] === 'string' ? values['hosts-file'] : undefined;
  if ((hosts || hostsFile) && (lab ?? 'ssh') !== 'ssh') throw usageError(`faultline ${command}: --hosts and --hosts-file are for --lab ssh`);
  // Naming hosts is choosing the ssh lab.
  if (hosts || hostsFile) lab = 'ssh';
  if (lab !== undefined) out.lab = lab;
  if (hosts) out.hosts = hosts;
  if (hostsFile) out.hostsFile = hostsFile;
  const nodes = wholeNumber(command, 'nodes', values['nodes'], 1, 9);
  if (nodes !== undefined) out.nodes = nodes;
  const heartbeat = wholeNumber(command, 'heartbeat', values['heartbeat'], 1);
  if (heartbeat !== undefined) out.heartbeatMs = heartbeat;
  const election = wholeNumber(command, 'election', values['election'], 5);
  if (election !== undefined) out.electionMs = election;
  const pv = values['pre-vote'];
  if (pv !== undefined) {
    if (pv !== 'on' && pv !== 'off') throw usageError(`faultline ${command}: --pre-vote must be on or off, got "${String(pv)}"`);
    out.preVote = pv === 'on';
  }
  return out;
}
