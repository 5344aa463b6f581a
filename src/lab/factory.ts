// Builds the lab a test asked for: `host` (loopback, works without root) or `netns` (namespaces, root).
import { usageError } from '../util/errors.js';
import { isRoot } from './exec.js';
import { HostLab } from './host.js';
import type { Lab, LabKind, LabOptions } from './lab.js';
import { NetnsLab } from './netns.js';

export function createLab(kind: LabKind, opts: LabOptions): Lab {
  switch (kind) {
    case 'host':
      return new HostLab(opts);
    case 'netns':
      return new NetnsLab(opts);
  }
}

/** Namespaces give every node its own network stack, so they are the better lab whenever we may create them. */
export function defaultLabKind(): LabKind {
  return isRoot() ? 'netns' : 'host';
}

export function parseLabKind(raw: string | undefined): LabKind | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'host' || raw === 'netns') return raw;
  throw usageError(`unknown lab "${raw}": use host or netns`);
}
