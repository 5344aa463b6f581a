// The run's faults: resolves the spec's nemesis (schedule preset, names, inline schedule, "none") to the
// NemesisRunner (src/nemesis/schedule.ts), and plays it during the fault phase, recording every action.
import type { Json } from '../history/op.js';
import type { Lab } from '../lab/lab.js';
import { stream } from '../generator/random.js';
import { expandNames, nemesisNames } from '../nemesis/registry.js';
import type { FaultCoverage } from '../nemesis/coverage.js';
import { NemesisRunner, scheduleFromNames, type Schedule } from '../nemesis/schedule.js';
import { loadSchedule, presetNames, validateSchedule } from '../nemesis/spec.js';
import type { Cluster, System } from '../system/system.js';
import { envError, usageError } from '../util/errors.js';
import type { HistoryRecorder } from './recorder.js';

export interface FaultContext {
  lab: Lab;
  cluster: Cluster;
  runDir: string;
  recorder: HistoryRecorder;
}

export interface Faults {
  /** What test.json records: the resolved schedule. */
  describe(): Json;
  setup(ctx: FaultContext): Promise<void>;
  /** After setup: what could run here and what was skipped; with the counts of what ran so far. */
  coverage(): FaultCoverage | undefined;
  /** Begins playing the schedule (fault phase) for `phaseS` seconds; returns at once. */
  start(phaseS: number, onError: (e: Error) => void): void;
  /** Stops playing (faults in effect stay until healAll). */
  stop(): Promise<void>;
  healAll(): Promise<void>;
  teardown(): Promise<void>;
  active(): string[];
}

/** Turns the spec's `nemesis` value into a schedule; every problem is a usage error naming the fix. */
export function resolveSchedule(nemesis: Json): Schedule | undefined {
  const known = nemesisNames();
  if (nemesis === null || nemesis === 'none' || (Array.isArray(nemesis) && nemesis.length === 0)) return undefined;
  if (typeof nemesis === 'string') {
    // `all` is the seeded random mix of nemeses/all.json, not a cycle in registry order.
    if (nemesis === 'all') return loadSchedule('all');
    // A nemesis name runs that one fault on the default cycle; anything else is a schedule preset or file.
    if (known.includes(nemesis)) return scheduleFromNames([nemesis]);
    if (!/[/\\]|\.json$/.test(nemesis) && !presetNames().includes(nemesis)) {
      throw usageError(`unknown nemesis "${nemesis}": give a nemesis (${known.join(', ')}), a schedule (${presetNames().join(', ')}), a schedule file, or none`);
    }
    return loadSchedule(nemesis);
  }
  if (Array.isArray(nemesis)) {
    const names = nemesis.map(String);
    if (names.includes('none')) return undefined;
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw usageError(`unknown nemesis ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${known.join(', ')}; schedules: ${presetNames().join(', ')})`);
    return scheduleFromNames(names);
  }
  // An inline schedule in a spec file: checked by the schedule's own validator.
  return validateSchedule(JSON.stringify(nemesis, null, 2), 'spec nemesis');
}

/**
 * Builds the run's faults. Named faults this lab cannot produce are refused now, before anything is created
 * (e.g. partitions in the host lab without root), with the reason and fix.
 */
export function createFaults(nemesis: Json, lab: Lab, system: System, seed: number): Faults {
  const schedule = resolveSchedule(nemesis);
  if (!schedule) return noFaults;
  const { unavailable } = expandNames(schedule.faults, lab, system);
  // The machine or lab cannot produce the fault (no root, no kernel support): an environment problem, exit 4.
  if (unavailable.length > 0) throw envError(unavailable.map((u) => `nemesis ${u.name} cannot run here: ${u.reason}`).join('; '));
  return new ScheduledFaults(schedule, seed, system);
}

const noFaults: Faults = {
  describe: () => 'none',
  setup: async () => undefined,
  coverage: () => undefined,
  start: () => undefined,
  stop: async () => undefined,
  healAll: async () => undefined,
  teardown: async () => undefined,
  active: () => [],
};

class ScheduledFaults implements Faults {
  private runner: NemesisRunner | undefined;
  private playing: Promise<void> | undefined;

  constructor(
    private readonly schedule: Schedule,
    private readonly seed: number,
    private readonly system: System,
  ) {}

  describe(): Json {
    return { ...this.schedule } as unknown as Json;
  }

  async setup(ctx: FaultContext): Promise<void> {
    const { recorder } = ctx;
    this.runner = new NemesisRunner(
      { lab: ctx.lab, cluster: ctx.cluster, system: this.system, runDir: ctx.runDir, random: stream(this.seed, 'nemesis') },
      this.schedule,
      { record: (op) => recorder.record({ process: 'nemesis', type: op.type, f: op.f, value: op.value }) },
    );
    await this.runner.setup();
  }

  start(phaseS: number, onError: (e: Error) => void): void {
    const r = this.runner;
    if (!r) return;
    // A broken action must not end the run: the load goes on and the heal phase still runs.
    this.playing = r.run(r.actions(this.seed, phaseS * 1000)).catch(onError);
  }

  async stop(): Promise<void> {
    this.runner?.stop();
    await this.playing;
  }

  async healAll(): Promise<void> {
    await this.runner?.healAll();
  }

  async teardown(): Promise<void> {
    await this.runner?.teardown();
  }

  coverage(): FaultCoverage | undefined {
    return this.runner?.coverage();
  }

  active(): string[] {
    return this.runner?.active() ?? [];
  }
}
