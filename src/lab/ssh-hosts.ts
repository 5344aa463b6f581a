// Which machines the SSH lab drives and how to reach them: `--hosts a,b,c` or a hosts file (JSON), validated.
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { usageError } from '../util/errors.js';

/** One real machine (or sandbox namespace) nodes run on. */
export interface SshHost {
  /** Address nodes, peers and clients use (an IP, so iptables rules can name it). */
  address: string;
  port: number;
  user: string;
  /** Private key file (ssh -i); absent: ssh's own defaults. */
  identity?: string;
  /** Run every command through `sudo -n` (iptables, tc, strace need root). */
  sudo: boolean;
  /** The host's working directory: run dirs and the host's records of what each run created live below it. */
  dir: string;
  /** Set for a sandbox host (src/lab/sandbox.ts): its directory here; once gone, so is the host and all on it. */
  sandbox?: string;
}

/**
 * `strict`: only keys already in the known_hosts file are trusted (the default; never silently trusting).
 * `accept-new`: unknown hosts are trusted on first use and written to the run's own known_hosts file only.
 */
export type HostKeyChecking = 'strict' | 'accept-new';

export interface SshConfig {
  hosts: SshHost[];
  /** The trusted host keys (default: ~/.ssh/known_hosts); the run copies it into a file of its own. */
  knownHosts?: string;
  hostKeyChecking: HostKeyChecking;
  connectTimeoutS: number;
  /** A short command (kill, iptables, mkdir) that takes longer than this fails naming its host. */
  commandTimeoutS: number;
}

/** What the SSH lab is given by the CLI or a spec: a host list or a hosts file. */
export interface SshSource {
  hosts?: string[];
  hostsFile?: string;
}

export const DEFAULT_HOST_DIR = '/var/tmp/faultline';
const DEFAULTS = { hostKeyChecking: 'strict' as HostKeyChecking, connectTimeoutS: 5, commandTimeoutS: 30 };

export const HOSTS_FILE_HELP = `hosts file (JSON):
  { "hosts": [ { "address": "10.0.0.11", "port": 22, "user": "root", "identity": "/path/id_ed25519",
                 "sudo": false, "dir": "/var/tmp/faultline" }, ... ],
    "knownHosts": "/path/known_hosts", "hostKeyChecking": "strict" | "accept-new",
    "connectTimeoutS": 5, "commandTimeoutS": 30 }
  Only "address" is required per host; defaults: port 22, your user name, ssh's default key, sudo unless root,
  dir ${DEFAULT_HOST_DIR}, knownHosts ~/.ssh/known_hosts, hostKeyChecking strict.`;

/** `[user@]address[:port]`, the form of `--hosts`. */
export function parseHostArg(raw: string): SshHost {
  const m = /^(?:([^@\s]+)@)?([^:@\s]+)(?::(\d+))?$/.exec(raw.trim());
  if (!m) throw usageError(`--hosts: "${raw}" is not [user@]address[:port]`);
  const user = m[1] ?? userInfo().username;
  return checkHost({ address: m[2]!, port: m[3] ? Number(m[3]) : 22, user, sudo: user !== 'root', dir: DEFAULT_HOST_DIR }, `--hosts ${raw}`);
}

function checkHost(h: SshHost, where: string): SshHost {
  if (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535) throw usageError(`${where}: port ${h.port} is not a TCP port`);
  if (!/^[A-Za-z0-9._-]+$/.test(h.address)) throw usageError(`${where}: address "${h.address}" is not a host name or IPv4 address`);
  if (!/^[A-Za-z0-9._-]+$/.test(h.user)) throw usageError(`${where}: user "${h.user}" has characters ssh would not take`);
  if (!isAbsolute(h.dir) || /[^A-Za-z0-9._/-]/.test(h.dir)) throw usageError(`${where}: dir "${h.dir}" must be an absolute path of [A-Za-z0-9._/-]`);
  if (h.identity !== undefined && !existsSync(h.identity)) throw usageError(`${where}: identity file ${h.identity} does not exist`);
  return h;
}

/** Reads `--hosts-file F`: every problem is a usage error naming the file and the host entry. */
export function loadHostsFile(file: string): SshConfig {
  if (!existsSync(file)) throw usageError(`--hosts-file ${file}: no such file (write one; see faultline lab --help)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw usageError(`--hosts-file ${file}: not JSON (${(e as Error).message})`);
  }
  const o = raw as Partial<Record<string, unknown>>;
  if (typeof o !== 'object' || o === null || !Array.isArray(o['hosts']) || o['hosts'].length === 0) {
    throw usageError(`--hosts-file ${file}: needs "hosts": [ { "address": ... }, ... ]`);
  }
  const base = resolve(file, '..');
  const path = (p: unknown, what: string): string | undefined => {
    if (p === undefined) return undefined;
    if (typeof p !== 'string') throw usageError(`--hosts-file ${file}: ${what} must be a path`);
    return resolve(base, p);
  };
  const hosts = (o['hosts'] as unknown[]).map((entry, i) => {
    const e = entry as Partial<Record<string, unknown>>;
    const where = `--hosts-file ${file}: hosts[${i}]`;
    if (typeof e?.['address'] !== 'string') throw usageError(`${where}: needs an "address"`);
    const user = typeof e['user'] === 'string' ? e['user'] : userInfo().username;
    const identity = path(e['identity'], `hosts[${i}].identity`);
    return checkHost(
      {
        address: e['address'],
        port: typeof e['port'] === 'number' ? e['port'] : 22,
        user,
        ...(identity ? { identity } : {}),
        sudo: typeof e['sudo'] === 'boolean' ? e['sudo'] : user !== 'root',
        dir: typeof e['dir'] === 'string' ? e['dir'] : DEFAULT_HOST_DIR,
        ...(typeof e['sandbox'] === 'string' ? { sandbox: e['sandbox'] } : {}),
      },
      where,
    );
  });
  const checking = o['hostKeyChecking'] ?? DEFAULTS.hostKeyChecking;
  if (checking !== 'strict' && checking !== 'accept-new') throw usageError(`--hosts-file ${file}: hostKeyChecking must be "strict" or "accept-new"`);
  const num = (k: string, d: number): number => {
    const v = o[k] ?? d;
    if (typeof v !== 'number' || !(v > 0)) throw usageError(`--hosts-file ${file}: ${k} must be a number > 0`);
    return v;
  };
  const knownHosts = path(o['knownHosts'], 'knownHosts');
  return {
    hosts,
    ...(knownHosts ? { knownHosts } : {}),
    hostKeyChecking: checking,
    connectTimeoutS: num('connectTimeoutS', DEFAULTS.connectTimeoutS),
    commandTimeoutS: num('commandTimeoutS', DEFAULTS.commandTimeoutS),
  };
}

/** The lab's configuration from the CLI or a spec; exactly one of the two forms. */
export function sshConfig(src: SshSource | undefined): SshConfig {
  if (src?.hostsFile !== undefined && src.hosts !== undefined) throw usageError('--lab ssh: give --hosts or --hosts-file, not both');
  if (src?.hostsFile !== undefined) return loadHostsFile(src.hostsFile);
  if (src?.hosts !== undefined && src.hosts.length > 0) return { hosts: src.hosts.map(parseHostArg), ...DEFAULTS };
  throw usageError('--lab ssh needs hosts: --hosts h1,h2,h3 or --hosts-file FILE (see faultline lab --help)');
}

/** The configuration for `nodeCount` nodes: one host of its own address per node (partitions cut by address). */
export function sshConfigFor(src: SshSource | undefined, nodeCount: number): SshConfig {
  const c = sshConfig(src);
  if (nodeCount > c.hosts.length) {
    throw usageError(`--lab ssh: ${nodeCount} nodes need ${nodeCount} hosts, got ${c.hosts.length} (${c.hosts.map(hostName).join(', ')}): add hosts or use --nodes ${c.hosts.length}`);
  }
  const addrs = c.hosts.slice(0, nodeCount).map((h) => h.address);
  if (new Set(addrs).size !== addrs.length) throw usageError('--lab ssh: every node needs a host of its own address (partitions cut by address)');
  return c;
}

/** How a host is named in every message: user@address:port. */
export const hostName = (h: SshHost): string => `${h.user}@${h.address}${h.port === 22 ? '' : `:${h.port}`}`;
