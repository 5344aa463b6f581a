// Nemesis schedules: a seeded, pure generator of timed fault actions, and the runner that performs and records them.
import { seeded } from '../generator/random.js';
import type { Json } from '../history/op.js';
import type { Nemesis, NemesisContext, NemesisDefinition } from './nemesis.js';
import type { FaultCoverage } from './coverage.js';
import { allFaultNames, expandNames, findDefinition, type Skipped } from './registry.js';

export type ScheduleMode = 'cycle' | 'random' | 'once';

/** A schedule as written in nemeses/*.json (times in seconds). */
export interface Schedule {
  faults: string[];
  mode: ScheduleMode;
  /** Seconds of calm before each fault starts. */
  interval: number;
  /** Seconds each fault holds. */
  duration: number;
  /** Start a new fault every `interval` even while earlier ones still hold. */
  concurrent: boolean;
  /** Options per fault name, passed to its definition's create(). */
  options: Record<string, Record<string, Json>>;
}

/** One timed action of the fault phase. */
export interface NemesisAction {
  /** Milliseconds from the start of the fault phase. */
  at: number;
  /** start-<nemesis> or stop-<nemesis>. */
  f: string;
  nemesis: string;
  options: Record<string, Json>;
}

export const DEFAULT_INTERVAL_S = 5;
export const DEFAULT_DURATION_S = 5;

/** A schedule from CLI names (`--nemesis partition-gray --nemesis kill`): cycle through them with defaults. */
export function scheduleFromNames(names: readonly string[], overrides: Partial<Schedule> = {}): Schedule {
  return {
    faults: [...names],
    mode: 'cycle',
    interval: DEFAULT_INTERVAL_S,
    duration: DEFAULT_DURATION_S,
    concurrent: false,
    options: {},
    ...overrides,
  };
}

/**
 * The actions of a fault phase of `phaseMs`: each fault starts after `interval` of calm and stops after
 * `duration` (cut short at the phase end). Sequential schedules wait for a fault to stop before the next
 * calm; concurrent ones start a fault every `interval` and never run the same fault twice at once. Pure: the
 * same schedule, seed and length give the same actions.
 */
export function generateActions(s: Schedule, seed: number, phaseMs: number): NemesisAction[] {
  if (s.faults.length === 0) return [];
  const random = seeded(seed);
  const intervalMs = Math.round(s.interval * 1000);
  const durationMs = Math.max(1, Math.round(s.duration * 1000));
  const actions: NemesisAction[] = [];
  const endOf = new Map<string, number>();
  let cursor = 0;
  let onceIndex = 0;
  let t = intervalMs;

  const pick = (now: number): string | undefined => {
    const free = (f: string): boolean => (endOf.get(f) ?? -1) <= now;
    switch (s.mode) {
      case 'once': {
        while (onceIndex < s.faults.length && !free(s.faults[onceIndex]!)) onceIndex++;
        return s.faults[onceIndex++];
      }
      case 'cycle':
        for (let k = 0; k < s.faults.length; k++) {
          const f = s.faults[(cursor + k) % s.faults.length]!;
          if (free(f)) {
            cursor = (cursor + k + 1) % s.faults.length;
            return f;
          }
        }
        return undefined;
      case 'random': {
        const candidates = s.faults.filter(free);
        return candidates.length ? candidates[Math.floor(random() * candidates.length)] : undefined;
      }
    }
  };

  while (t < phaseMs) {
    if (s.mode === 'once' && onceIndex >= s.faults.length) break;
    // A random mix is fitted to the phase: a window that cannot hold its whole duration is not begun, so every
    // drawn fault is measured over the same length.
    if (s.mode === 'random' && t + durationMs > phaseMs) break;
    const fault = pick(t);
    if (fault === undefined) {
      // Concurrent and everything is active: wait for the first to stop.
      const next = Math.min(...[...endOf.values()].filter((e) => e > t));
      if (!Number.isFinite(next)) break;
      t = next;
      continue;
    }
    const stop = Math.min(t + durationMs, phaseMs);
    const options = s.options[fault] ?? {};
    actions.push({ at: t, f: `start-${fault}`, nemesis: fault, options });
    actions.push({ at: stop, f: `stop-${fault}`, nemesis: fault, options });
    endOf.set(fault, stop);
    t = s.concurrent ? t + Math.max(1, intervalMs) : stop + intervalMs;
  }
  // Stops before starts at the same instant, so a fault never overlaps its own successor.
  return actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.at - y.a.at || Number(x.a.f.startsWith('start-')) - Number(y.a.f.startsWith('start-')) || x.i - y.i)
    .map((x) => x.a);
}

/** What the runner hands to the history: an invoke, then an info completion describing what was done. */
export interface NemesisRecord {
  type: 'invoke' | 'info';
  f: string;
  value: Json;
}

export interface RunnerOptions {
  record: (op: NemesisRecord) => void;
  /** Name → definition; the registry by default. */
  lookup?: (name: string) => NemesisDefinition | undefined;
}

/**
 * Performs a schedule's actions on time against one context. `setup` creates each named fault once (expanding
 * `all`, skipping what this lab cannot do); `run` plays actions; `healAll` stops whatever is active (heal
 * phase, errors, Ctrl-C); `teardown` heals and releases every nemesis.
 */
export class NemesisRunner {
  readonly skipped: Skipped[] = [];
  private readonly ran = new Map<string, number>();
  private readonly nemeses = new Map<string, Nemesis>();
  private readonly activeSet = new Set<string>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Serialises actions and heals so a stop never races the start it ends. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: NemesisContext,
    private readonly schedule: Schedule,
    private readonly options: RunnerOptions,
  ) {}

  /** The schedule with `all` expanded to what this lab supports (available after setup). */
  expanded: Schedule | undefined;

  async setup(): Promise<Schedule> {
    const lookup = this.options.lookup ?? findDefinition;
    let names: string[];
    if (this.options.lookup) {
      names = [...this.schedule.faults];
    } else {
      const ex = expandNames(this.schedule.faults, this.ctx.lab, this.ctx.system);
      this.drawFrom = this.schedule.faults.flatMap((f) => (f === 'all' ? allFaultNames() : [f]));
      if (ex.unavailable.length > 0) throw new Error(ex.unavailable.map((u) => `nemesis ${u.name}: ${u.reason}`).join('; '));
      this.skipped.push(...ex.skipped);
      names = ex.names;
    }
    for (const name of names) {
      const d = lookup(name);
      if (!d) throw new Error(`unknown nemesis "${name}"`);
      const n = d.create(this.schedule.options[name] ?? {});
      if (this.schedule.faults.includes('all')) {
        // Under `all` a fault whose own setup refuses (e.g. strace missing) is skipped with its reason.
        try {
          await n.setup(this.ctx);
        } catch (e) {
          this.skipped.push({ name, reason: (e as Error).message.split('\n')[0]! });
          continue;
        }
      } else await n.setup(this.ctx);
      this.nemeses.set(name, n);
    }
    this.expanded = { ...this.schedule, faults: [...this.nemeses.keys()] };
    return this.expanded;
  }

  private drawFrom: string[] = [];

  coverage(): FaultCoverage {
    return {
      of: this.drawFrom.length ? [...new Set(this.drawFrom)] : [...(this.expanded?.faults ?? [])],
      available: [...(this.expanded?.faults ?? [])],
      skipped: [...this.skipped],
      ran: Object.fromEntries(this.ran),
    };
  }

  /** The actions for this run (after setup, so `all` is expanded). */
  actions(seed: number, phaseMs: number): NemesisAction[] {
    if (!this.expanded) throw new Error('NemesisRunner.actions before setup');
    return generateActions(this.expanded, seed, phaseMs);
  }

  /** Faults currently in effect (for progress display). */
  active(): string[] {
    return [...this.activeSet];
  }

  /** Plays `actions` relative to now; resolves when all are done or `stop()` was called. */
  async run(actions: readonly NemesisAction[]): Promise<void> {
    const t0 = performance.now();
    for (const a of actions) {
      if (this.stopped) return;
      const wait = t0 + a.at - performance.now();
      if (wait > 0) await this.sleep(wait);
      if (this.stopped) return;
      await this.enqueue(() => this.perform(a.nemesis, a.f));
    }
  }

  /** Stops playing actions (faults stay active until healAll). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  /** Stops every active fault, recording each stop. */
  healAll(): Promise<void> {
    return this.enqueue(async () => {
      for (const name of [...this.activeSet]) await this.perform(name, `stop-${name}`);
    });
  }

  async teardown(): Promise<void> {
    this.stop();
    await this.healAll();
    for (const n of this.nemeses.values()) await n.teardown().catch(() => undefined);
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const p = this.chain.then(job);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async perform(name: string, f: string): Promise<void> {
    const n = this.nemeses.get(name);
    if (!n) throw new Error(`nemesis ${name} was not set up`);
    const isStart = f.startsWith('start-');
    // A stop with nothing active (its start failed, or healAll already ran) is not an action.
    if (!isStart && !this.activeSet.has(name)) return;
    if (isStart && this.activeSet.has(name)) return;
    this.options.record({ type: 'invoke', f, value: (this.schedule.options[name] ?? {}) as Json });
    try {
      const value = await n.invoke(f, undefined);
      if (isStart) this.ran.set(name, (this.ran.get(name) ?? 0) + 1);
      if (isStart) this.activeSet.add(name);
      else this.activeSet.delete(name);
      this.options.record({ type: 'info', f, value });
    } catch (e) {
      // A failed stop still counts as stopped: retrying a broken heal forever would hang the heal phase.
      if (!isStart) this.activeSet.delete(name);
      this.options.record({ type: 'info', f, value: { error: (e as Error).message.split('\n')[0]! } });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
