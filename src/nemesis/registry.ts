// The nemesis registry: CLI name → NemesisDefinition for every fault mechanism, plus `all`.
import type { Json } from '../history/op.js';
import type { Lab } from '../lab/lab.js';
import type { System } from '../system/system.js';
import type { Skipped } from './coverage.js';
import type { Nemesis, NemesisContext, NemesisDefinition } from './nemesis.js';
import { definitions as clock } from './clock.js';
import { definitions as member } from './member.js';
import { definitions as partition } from './partition.js';
import { definitions as processFaults } from './process.js';
import { definitions as shaping } from './shaping.js';
import { definitions as slowFsync } from './slow-fsync.js';
import { definitions as transferLeader } from './transfer-leader.js';

/** One line per mechanism file: a new fault is one new file plus one line here. */
const LISTS: readonly (readonly NemesisDefinition[])[] = [partition, shaping, processFaults, slowFsync, member, transferLeader, clock];

/** `partition` (random shape) is left out of `all`: every shape is already in it by name. */
const NOT_IN_ALL = new Set(['partition']);

export function definitionList(): NemesisDefinition[] {
  return [...LISTS.flat(), allDefinition];
}

export function findDefinition(name: string): NemesisDefinition | undefined {
  return definitionList().find((d) => d.name === name);
}

export function nemesisNames(): string[] {
  return definitionList().map((d) => d.name);
}

/** Every fault `all` draws from, before asking the lab and the system which are available here. */
export function allFaultNames(): string[] {
  return LISTS.flat()
    .map((d) => d.name)
    .filter((n) => !NOT_IN_ALL.has(n));
}

export type { Skipped } from './coverage.js';

/**
 * Replaces `all` by every fault available in this lab (skipping, with the reason, those that are not), and
 * reports named faults that are unavailable as skipped too so the caller can decide (error for a named one).
 */
export function expandNames(names: readonly string[], lab: Lab, system: System): { names: string[]; skipped: Skipped[]; unavailable: Skipped[] } {
  const out: string[] = [];
  const skipped: Skipped[] = [];
  const unavailable: Skipped[] = [];
  for (const name of names) {
    if (name === 'all') {
      for (const d of LISTS.flat()) {
        if (NOT_IN_ALL.has(d.name)) continue;
        const why = d.unavailable?.(lab, system);
        if (why) skipped.push({ name: d.name, reason: why });
        else if (!out.includes(d.name)) out.push(d.name);
      }
      continue;
    }
    const d = findDefinition(name);
    if (!d) throw new Error(`unknown nemesis "${name}" (known: ${nemesisNames().join(', ')})`);
    const why = d.unavailable?.(lab, system);
    if (why) unavailable.push({ name, reason: why });
    else if (!out.includes(name)) out.push(name);
  }
  return { names: out, skipped, unavailable };
}

/** `all` as one nemesis: each start picks a random available fault (seeded), stop ends it. */
class AllNemesis implements Nemesis {
  readonly name = 'all';
  readonly fs = ['start-all', 'stop-all'] as const;
  readonly skipped: Skipped[] = [];
  private members: Nemesis[] = [];
  private current: Nemesis | undefined;
  private ctx: NemesisContext | undefined;

  constructor(private readonly options: Record<string, Json>) {}

  async setup(ctx: NemesisContext): Promise<void> {
    this.ctx = ctx;
    const { names, skipped } = expandNames(['all'], ctx.lab, ctx.system);
    this.skipped.push(...skipped);
    for (const name of names) {
      const opts = this.options[name];
      const n = findDefinition(name)!.create(opts && typeof opts === 'object' && !Array.isArray(opts) ? opts : {});
      try {
        await n.setup(ctx);
        this.members.push(n);
      } catch (e) {
        this.skipped.push({ name, reason: (e as Error).message });
      }
    }
    if (this.members.length === 0) throw new Error(`nemesis all: no fault is available here (${this.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`);
  }

  async invoke(f: string): Promise<Json> {
    if (f === 'start-all') {
      if (this.current) throw new Error(`nemesis all: ${this.current.name} is still active`);
      const pick = this.members[Math.floor(this.ctx!.random() * this.members.length)]!;
      const value = await pick.invoke(`start-${pick.name}`, undefined);
      this.current = pick;
      return { fault: pick.name, value };
    }
    if (f === 'stop-all') {
      const cur = this.current;
      if (!cur) return { fault: null };
      this.current = undefined;
      return { fault: cur.name, value: await cur.invoke(`stop-${cur.name}`, undefined) };
    }
    throw new Error(`nemesis all does not handle ${f}`);
  }

  async teardown(): Promise<void> {
    this.current = undefined;
    for (const m of this.members) await m.teardown();
  }
}

export const allDefinition: NemesisDefinition = {
  name: 'all',
  summary: 'every fault this system and lab support (unavailable ones are skipped with the reason)',
  create: (options) => new AllNemesis(options),
};
