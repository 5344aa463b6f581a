// The system registry: every store faultline can test, by name. A new system is one file plus one line here.
import { FaultlineError, usageError } from '../util/errors.js';
import { antietcdSystem } from './antietcd.js';
import { etcdSystem } from './etcd.js';
import type { RaftSettings, System, SystemOptionValue } from './system.js';
import { zookeeperSystem } from './zookeeper.js';

/** One line per system; the first is the default when it is installed, the embedded one the fallback. */
const SYSTEMS: readonly System[] = [etcdSystem, antietcdSystem, zookeeperSystem];

/** Used when no --system is given and the first system is not installed: it comes with `npm install`. */
const EMBEDDED = 'antietcd';

export const SYSTEM_NAMES: readonly string[] = SYSTEMS.map((s) => s.name);

export function findSystem(name: string): System | undefined {
  return SYSTEMS.find((s) => s.name === name);
}

/** The system of a spec or stored run; an unknown name is a usage error listing the known ones. */
export function systemByName(name: string): System {
  const s = findSystem(name);
  if (!s) throw usageError(`unknown system "${name}" (known: ${SYSTEM_NAMES.join(', ')})`);
  return s;
}

export interface ResolvedSystem {
  system: System;
  version: string;
  bin: string;
  /** Set when the default was not available and the embedded system was used instead: print it. */
  note?: string;
}

/**
 * The system to run: the named one (a missing binary is exit 4 with the install line), or with no name the
 * first installed system, falling back to the embedded one with a one-line note saying why.
 */
export async function resolveSystem(name: string | undefined, binPath?: string): Promise<ResolvedSystem> {
  if (name !== undefined) {
    const system = systemByName(name);
    return { system, ...(await system.detect(binPath)) };
  }
  const preferred = SYSTEMS[0]!;
  try {
    return { system: preferred, ...(await preferred.detect(binPath)) };
  } catch (e) {
    // Only a missing store falls back; --bin naming a broken binary is the user's explicit choice.
    if (!(e instanceof FaultlineError) || e.code !== 4 || binPath !== undefined) throw e;
    const embedded = systemByName(EMBEDDED);
    const found = await embedded.detect();
    return {
      system: embedded,
      ...found,
      note: `${preferred.name} not installed (${preferred.installHint}); using ${embedded.name} ${found.version} from npm`,
    };
  }
}

/**
 * The settings a system will start with: its own options filled with their defaults, then checked by the
 * system's rules. Problems are usage errors (exit 3) naming the system.
 */
export function settingsFor(system: System, settings: RaftSettings): RaftSettings {
  const given = settings.options ?? {};
  const known = new Map(system.options.map((o) => [o.name, o]));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const owner = SYSTEMS.find((s) => s.options.some((o) => o.name === name));
      throw usageError(`${name} is ${owner ? `an option of ${owner.name}` : 'not an option of any system'}; this run uses ${system.name}${system.options.length ? ` (its options: ${system.options.map((o) => o.name).join(', ')})` : ''}`);
    }
  }
  const options: Record<string, SystemOptionValue> = {};
  for (const o of system.options) options[o.name] = given[o.name] ?? o.default;
  const out: RaftSettings = { ...settings, ...(system.options.length ? { options } : {}) };
  if (!system.options.length) delete out.options;
  const problems = system.checkSettings(out);
  if (problems.length > 0) throw new SettingsRefused(system.name, problems);
  return out;
}

/** Settings the system itself would refuse (exit 3); a sweep reports the cell as refused with these reasons. */
export class SettingsRefused extends FaultlineError {
  constructor(
    readonly system: string,
    readonly problems: string[],
  ) {
    super(`${system}: ${problems.join('; ')}`, 3);
  }
}

/** Every system option across systems, for commands that offer them as flags. */
export function allSystemOptions(): { system: string; option: System['options'][number] }[] {
  return SYSTEMS.flatMap((s) => s.options.map((option) => ({ system: s.name, option })));
}
