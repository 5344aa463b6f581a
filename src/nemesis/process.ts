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

/** What differs between the process faults: how a node is hit, how it is put back, and what the history says. */
interface NodeFaultKind {
  name: string;
  fs: readonly [string, string];
  apply(ctx: NemesisContext, node: string): Promise<void>;
  undo(ctx: NemesisContext, node: string): Promise<void>;
  started: Record<string, Json>;
  undone: Record<string, Json>;
}

class NodeFaultNemesis implements Nemesis {
  private ctx: NemesisContext | undefined;
  private affected: string[] = [];

  constructor(
    private readonly kind: NodeFaultKind,
    private readonly target: TargetSpec,
  ) {}

  get name(): string {
    return this.kind.name;
  }

  get fs(): readonly string[] {
    return this.kind.fs;
  }

  async setup(ctx: NemesisContext): Promise<void> {
    this.ctx = ctx;
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = need(this.ctx, this.name);
    if (f === this.kind.fs[0]) {
      const nodes = (await resolveTargets(targetOf(value, this.target), ctx)).filter((n) => ctx.cluster.isRunning(n));
      const pids: number[] = [];
      for (const n of nodes) {
        pids.push(ctx.cluster.pid(n) ?? -1);
        await this.kind.apply(ctx, n);
        if (!this.affected.includes(n)) this.affected.push(n);
      }
      return { nodes, pids, ...this.kind.started };
    }
    if (f === this.kind.fs[1]) return this.undoAll(ctx);
    throw new Error(`nemesis ${this.name} does not handle ${f}`);
  }

  private async undoAll(ctx: NemesisContext): Promise<Json> {
    const nodes = this.affected;
    this.affected = [];
    const pids: number[] = [];
    const errors: string[] = [];
    for (const n of nodes) {
      try {
        await this.kind.undo(ctx, n);
      } catch (e) {
        // Recorded, not thrown: the other nodes must still be put back, and the history must say what happened.
        errors.push(`${n}: ${(e as Error).message.split('\n')[0]}`);
      }
      // After the undo: a restarted node has a new pid.
      pids.push(ctx.cluster.pid(n) ?? -1);
    }
    return errors.length > 0 ? { nodes, pids, ...this.kind.undone, errors } : { nodes, pids, ...this.kind.undone };
  }

  async teardown(): Promise<void> {
    if (this.ctx) await this.undoAll(this.ctx);
  }
}

const PAUSE: NodeFaultKind = {
  name: 'pause',
  fs: ['start-pause', 'stop-pause'],
  apply: (ctx, n) => ctx.cluster.pause(n),
  undo: (ctx, n) => ctx.cluster.resume(n),
  started: { signal: 'SIGSTOP' },
  undone: { signal: 'SIGCONT' },
};

const KILL: NodeFaultKind = {
  name: 'kill',
  fs: ['start-kill', 'stop-kill'],
  apply: (ctx, n) => ctx.cluster.kill(n),
  undo: (ctx, n) => ctx.cluster.restart(n),
  started: { signal: 'SIGKILL' },
  undone: { restarted: true },
};

export const definitions: NemesisDefinition[] = [
  {
    name: 'pause',
    summary: 'SIGSTOP target nodes (default: leader), SIGCONT on stop',
    create: (options) => new NodeFaultNemesis(PAUSE, targetFromOptions(options, 'leader')),
  },
  {
    name: 'kill',
    summary: 'SIGKILL target nodes (default: leader), restart them with their data on stop',
    create: (options) => new NodeFaultNemesis(KILL, targetFromOptions(options, 'leader')),
  },
];
