// Process faults: pause (SIGSTOP/SIGCONT) and kill (SIGKILL, then restart with the same data dir).
import type { Json } from '../history/op.js';
import type { Nemesis, NemesisContext, NemesisDefinition, TargetSpec } from './nemesis.js';
import { resolveTargets, targetFromOptions } from './targets.js';

/** A target given with the op (`{target: 'leader'}`) overrides the one from the schedule. */
export function targetOf(value: Json | undefined, fallback: TargetSpec): TargetSpec {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return targetFromOptions(value, fallback);
  return fallback;
}

function need(ctx: NemesisContext | undefined, name: string): NemesisContext {
  if (!ctx) throw new Error(`nemesis ${name}: invoke before setup`);
  return ctx;
}

class PauseNemesis implements Nemesis {
  readonly name = 'pause';
  readonly fs = ['start-pause', 'stop-pause'] as const;
  private ctx: NemesisContext | undefined;
  private paused: string[] = [];

  constructor(private readonly target: TargetSpec) {}

  async setup(ctx: NemesisContext): Promise<void> {
    this.ctx = ctx;
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = need(this.ctx, this.name);
    if (f === 'start-pause') {
      const nodes = (await resolveTargets(targetOf(value, this.target), ctx)).filter((n) => ctx.cluster.isRunning(n));
      const pids: number[] = [];
      for (const n of nodes) {
        pids.push(ctx.cluster.pid(n) ?? -1);
        await ctx.cluster.pause(n);
        if (!this.paused.includes(n)) this.paused.push(n);
      }
      return { nodes, pids, signal: 'SIGSTOP' };
    }
    if (f === 'stop-pause') return this.resumeAll(ctx);
    throw new Error(`nemesis pause does not handle ${f}`);
  }

  private async resumeAll(ctx: NemesisContext): Promise<Json> {
    const nodes = this.paused;
    this.paused = [];
    const pids: number[] = [];
    for (const n of nodes) {
      pids.push(ctx.cluster.pid(n) ?? -1);
      await ctx.cluster.resume(n);
    }
    return { nodes, pids, signal: 'SIGCONT' };
  }

  async teardown(): Promise<void> {
    if (this.ctx) await this.resumeAll(this.ctx);
  }
}

class KillNemesis implements Nemesis {
  readonly name = 'kill';
  readonly fs = ['start-kill', 'stop-kill'] as const;
  private ctx: NemesisContext | undefined;
  private killed: string[] = [];

  constructor(private readonly target: TargetSpec) {}

  async setup(ctx: NemesisContext): Promise<void> {
    this.ctx = ctx;
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = need(this.ctx, this.name);
    if (f === 'start-kill') {
      const nodes = (await resolveTargets(targetOf(value, this.target), ctx)).filter((n) => ctx.cluster.isRunning(n));
      const pids: number[] = [];
      for (const n of nodes) {
        pids.push(ctx.cluster.pid(n) ?? -1);
        await ctx.cluster.kill(n);
        if (!this.killed.includes(n)) this.killed.push(n);
      }
      return { nodes, pids, signal: 'SIGKILL' };
    }
    if (f === 'stop-kill') return this.restartAll(ctx);
    throw new Error(`nemesis kill does not handle ${f}`);
  }

  private async restartAll(ctx: NemesisContext): Promise<Json> {
    const nodes = this.killed;
    this.killed = [];
    const pids: number[] = [];
    const errors: string[] = [];
    for (const n of nodes) {
      try {
        await ctx.cluster.restart(n);
      } catch (e) {
        // Recorded, not thrown: the other nodes must still be restarted, and the history must say what happened.
        errors.push(`${n}: ${(e as Error).message.split('\n')[0]}`);
      }
      pids.push(ctx.cluster.pid(n) ?? -1);
    }
    return errors.length > 0 ? { nodes, pids, restarted: true, errors } : { nodes, pids, restarted: true };
  }

  async teardown(): Promise<void> {
    if (this.ctx) await this.restartAll(this.ctx);
  }
}

export const definitions: NemesisDefinition[] = [
  {
    name: 'pause',
    summary: 'SIGSTOP target nodes (default: leader), SIGCONT on stop',
    create: (options) => new PauseNemesis(targetFromOptions(options, 'leader')),
  },
  {
    name: 'kill',
    summary: 'SIGKILL target nodes (default: leader), restart them with their data on stop',
    create: (options) => new KillNemesis(targetFromOptions(options, 'leader')),
  },
];
