// Builds the lab a test asked for: `host` (loopback, works without root), `netns` (namespaces, root) or `ssh`.
import { usageError } from '../util/errors.js';
import { isRoot, missingNetTools } from './exec.js';
import { HostLab } from './host.js';
import type { Lab, LabKind, LabOptions } from './lab.js';
import { NetnsLab } from './netns.js';
import { SshLab } from './ssh.js';

export function createLab(kind: LabKind, opts: LabOptions): Lab {
  switch (kind) {
    case 'host':
      return new HostLab(opts);
    case 'netns':
      return new NetnsLab(opts);
    case 'ssh':
      return new SshLab(opts);
  }
}

/** Namespaces give every node its own network stack, so they are the better lab whenever we may create them. */
export function defaultLabKind(): LabKind {
  return isRoot() && missingNetTools() === undefined ? 'netns' : 'host';
}

/** Why the default lab is not the namespace lab though we are root (a missing package), for a one-line note. */
export function defaultLabNote(): string | undefined {
  const missing = isRoot() ? missingNetTools() : undefined;
  return missing ? `the netns lab needs iproute2 and iptables (${missing}); using the host lab` : undefined;
}

export function parseLabKind(raw: string | undefined): LabKind | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'host' || raw === 'netns' || raw === 'ssh') return raw;
  throw usageError(`unknown lab "${raw}": use host, netns or ssh`);
}
