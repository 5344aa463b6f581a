// The Nemesis seam: a fault with start/stop on chosen targets; every action is recorded in the history.
import type { Json } from '../history/op.js';
import type { Lab } from '../lab/lab.js';
import type { Capability, Cluster, System } from '../system/system.js';

/** How a nemesis picks the nodes it acts on. */
export type TargetSpec = 'one' | 'minority' | 'majority' | 'leader' | 'followers' | 'all' | { nodes: string[] };

export interface NemesisContext {
  lab: Lab;
  cluster: Cluster;
  /** The system of the cluster, for what it can and cannot do (System.missing). */
  system: System;
  /** Seeded random source in [0,1): the same seed replays the same faults. */
  random: () => number;
  /** Run directory, for files a nemesis writes (strace output, helper logs). */
  runDir: string;
}

/** What a nemesis did: recorded as the `value` of its completion in the history (ARCHITECTURE.md). */
export type NemesisResult = Json;

/**
 * A fault. `fs` names the operations it handles, e.g. ['start-partition', 'stop-partition'], so several
 * nemeses compose by dispatching on f. start-X opens a fault window in the report; stop-X closes it.
 */
export interface Nemesis {
  readonly name: string;
  readonly fs: readonly string[];
  /** Throws an error naming the fix when the fault cannot work here (e.g. clock skew on etcd). */
  setup(ctx: NemesisContext): Promise<void>;
  invoke(f: string, value: Json | undefined): Promise<NemesisResult>;
  /** Undo whatever is still in effect. Always safe to call. */
  teardown(): Promise<void>;
}

/**
 * A named fault for `--nemesis NAME`: each mechanism file under src/nemesis/ exports
 * `export const definitions: NemesisDefinition[]`, and src/nemesis/registry.ts lists those arrays.
 */
export interface NemesisDefinition {
  /** CLI name: partition-gray, pause, slow-fsync, ... */
  name: string;
  summary: string;
  /** Labs/systems where it cannot work return the reason (shown by `all` as skipped, by name as an error). */
  unavailable?(lab: Lab, system: System): string | undefined;
  /** Options come from the nemesis schedule file (e.g. { target: 'leader', delayMs: 50 }). */
  create(options: Record<string, Json>): Nemesis;
}

/** `unavailable` for a fault that needs one of the system's optional capabilities. */
export function needsCapability(cap: Capability): (lab: Lab, system: System) => string | undefined {
  return (_lab, system) => system.missing(cap);
}

/** The capability's interface on a live cluster, or an error naming what is missing. */
export function capabilityOf<K extends 'membership' | 'transfer' | 'clock'>(cluster: Cluster, key: K): NonNullable<Cluster[K]> {
  const c = cluster[key];
  if (!c) throw new Error(`${cluster.system} has no ${key}`);
  return c as NonNullable<Cluster[K]>;
}
