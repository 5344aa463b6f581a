// Clock faults as Jepsen names them: bump (jump clocks by ±N ms), strobe (flip a clock back and forth for a
// while), skew (a clock runs at rate r), and reset on stop. Available only where the system offers per-node
// clock control (capability `clock`: libfaketime for antietcd and ZooKeeper); elsewhere refused with the
// system's own reason (etcd: Go reads time through the vDSO).
//
// Every start and stop returns `clocks`: each node's offset from real time (ms) and rate as applied at that
// moment, which is what the history records and what the report's clock plot is drawn from. A strobe flips on
// a fixed grid (every periodMs from its start, for durationMs), so its `strobe` parameters determine every
// flip the plot draws.
import type { Json } from '../history/op.js';
import type { ClockControl } from '../system/system.js';
import { envError } from '../util/errors.js';
import { capabilityOf, needsCapability, type Nemesis, type NemesisContext, type NemesisDefinition, type TargetSpec } from './nemesis.js';
import { targetOf } from './process.js';
import { resolveTargets, targetFromOptions } from './targets.js';

export type ClockFault = 'bump' | 'strobe' | 'skew';

/** What one fault did to one node: the offset (ms) at the moment it was set and the rate from then on. */
export interface NodeClockValue {
  offsetMs: number;
  rate: number;
}

interface ClockOptions {
  /** bump/strobe magnitude in ms; sign drawn per node for bump unless `direction` is given. */
  deltaMs: number;
  direction?: 1 | -1;
  /** strobe: flip period and total length (ms). */
  periodMs: number;
  durationMs: number;
  /** skew: rates to draw from (seeded). */
  rates: number[];
}

const num = (v: Json | undefined, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

function parseOptions(o: Record<string, Json>): ClockOptions {
  const rates = Array.isArray(o['rates']) ? o['rates'].filter((r): r is number => typeof r === 'number' && r > 0) : typeof o['rate'] === 'number' && o['rate'] > 0 ? [o['rate']] : [0.5, 2];
  const dir = o['direction'];
  return {
    deltaMs: num(o['deltaMs'], 2000),
    ...(dir === 1 || dir === -1 ? { direction: dir } : {}),
    periodMs: num(o['periodMs'], 200),
    durationMs: num(o['durationMs'], 2000),
    rates: rates.length > 0 ? rates : [0.5, 2],
  };
}

class ClockNemesis implements Nemesis {
  readonly fs: readonly string[];
  private ctx: NemesisContext | undefined;
  private clock: ClockControl | undefined;
  private affected = new Set<string>();
  private strobeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    /** Undefined: each start draws one of the three (seeded). */
    private readonly fault: ClockFault | undefined,
    private readonly target: TargetSpec,
    private readonly options: ClockOptions,
  ) {
    this.fs = [`start-${name}`, `stop-${name}`];
  }

  async setup(ctx: NemesisContext): Promise<void> {
    const why = ctx.system.missing('clock');
    if (why) throw envError(why);
    this.clock = capabilityOf(ctx.cluster, 'clock');
    this.ctx = ctx;
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = this.ctx;
    const clock = this.clock;
    if (!ctx || !clock) throw new Error(`nemesis ${this.name}: invoke before setup`);
    if (f === this.fs[0]) {
      const fault = this.fault ?? (['bump', 'strobe', 'skew'] as const)[Math.floor(ctx.random() * 3)]!;
      const nodes = await resolveTargets(targetOf(value, this.target), ctx);
      const clocks: Record<string, NodeClockValue> = {};
      const errors: string[] = [];
      const o = this.options;
      for (const n of nodes) {
        let c: NodeClockValue;
        if (fault === 'skew') c = { offsetMs: 0, rate: o.rates[Math.floor(ctx.random() * o.rates.length)]! };
        else c = { offsetMs: o.deltaMs * (fault === 'strobe' ? 1 : (o.direction ?? (ctx.random() < 0.5 ? -1 : 1))), rate: 1 };
        try {
          await clock.setClock(n, c.offsetMs, c.rate);
          clocks[n] = c;
          this.affected.add(n);
        } catch (e) {
          // Recorded, not thrown: the history must say which nodes kept their clock and why.
          errors.push(`${n}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
      const out: Record<string, Json> = { fault, nodes, clocks: clocks as unknown as Json, ...(errors.length ? { errors } : {}) };
      if (fault === 'strobe') {
        this.strobe(nodes, o);
        out['strobe'] = { deltaMs: o.deltaMs, periodMs: o.periodMs, durationMs: o.durationMs };
      }
      return out;
    }
    if (f === this.fs[1]) return this.resetAll();
    throw new Error(`nemesis ${this.name} does not handle ${f}`);
  }

  /** Flips the nodes between +delta and real time every period on a fixed grid, then leaves them at real time. */
  private strobe(nodes: string[], o: ClockOptions): void {
    const started = Date.now();
    let k = 1;
    const tick = (): void => {
      const high = k % 2 === 0;
      const last = k * o.periodMs >= o.durationMs;
      for (const n of nodes) void this.clock!.setClock(n, high && !last ? o.deltaMs : 0, 1).catch(() => undefined);
      k++;
      if (last) {
        this.strobeTimer = undefined;
        return;
      }
      this.strobeTimer = setTimeout(tick, Math.max(0, started + k * o.periodMs - Date.now()));
    };
    this.strobeTimer = setTimeout(tick, o.periodMs);
  }

  private async resetAll(): Promise<Json> {
    if (this.strobeTimer) clearTimeout(this.strobeTimer);
    this.strobeTimer = undefined;
    const nodes = [...this.affected].sort();
    this.affected.clear();
    const clocks: Record<string, NodeClockValue> = {};
    const errors: string[] = [];
    for (const n of nodes) {
      try {
        await this.clock!.resetClock(n);
        clocks[n] = { offsetMs: 0, rate: 1 };
      } catch (e) {
        errors.push(`${n}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return { nodes, clocks: clocks as unknown as Json, ...(errors.length ? { errors } : {}) };
  }

  async teardown(): Promise<void> {
    if (this.clock) await this.resetAll();
  }
}

/**
 * The phantom-leader fault: the leader cut from every peer (both directions, DROP) while its clock runs at
 * `rate` (default 0.25; 1 is the control arm: the same partition, clock untouched). Heal and reset on stop.
 */
class IsolatedLeaderClock implements Nemesis {
  readonly name = 'clock-isolated-leader';
  readonly fs = ['start-clock-isolated-leader', 'stop-clock-isolated-leader'] as const;
  private ctx: NemesisContext | undefined;
  private node: string | undefined;

  constructor(private readonly rate: number) {}

  async setup(ctx: NemesisContext): Promise<void> {
    if (this.rate !== 1) {
      const why = ctx.system.missing('clock');
      if (why) throw envError(why);
    }
    const cut = ctx.lab.net.missing('partition');
    if (cut) throw envError(cut);
    this.ctx = ctx;
  }

  async invoke(f: string): Promise<Json> {
    const ctx = this.ctx;
    if (!ctx) throw new Error(`nemesis ${this.name}: invoke before setup`);
    if (f === this.fs[0]) {
      const [leader] = await resolveTargets('leader', ctx);
      const others = ctx.cluster.nodes.filter((n) => n !== leader);
      // Clock first: the lease the isolated leader holds is measured on the clock it has when the cut begins.
      if (this.rate !== 1) await capabilityOf(ctx.cluster, 'clock').setClock(leader!, 0, this.rate);
      this.node = leader;
      const grudge = { [leader!]: others, ...Object.fromEntries(others.map((o) => [o, [leader!]])) };
      await ctx.lab.net.partition(grudge);
      return { nodes: [leader!], grudge, clocks: { [leader!]: { offsetMs: 0, rate: this.rate } } };
    }
    if (f === this.fs[1]) return this.undo();
    throw new Error(`nemesis ${this.name} does not handle ${f}`);
  }

  private async undo(): Promise<Json> {
    const ctx = this.ctx!;
    const node = this.node;
    this.node = undefined;
    await ctx.lab.net.heal();
    if (node && this.rate !== 1) await capabilityOf(ctx.cluster, 'clock').resetClock(node);
    return { nodes: node ? [node] : [], healed: true, clocks: node ? { [node]: { offsetMs: 0, rate: 1 } } : {} };
  }

  async teardown(): Promise<void> {
    if (this.ctx && this.node) await this.undo();
  }
}

function define(name: string, fault: ClockFault | undefined, summary: string): NemesisDefinition {
  return {
    name,
    summary,
    unavailable: needsCapability('clock'),
    create: (options) => new ClockNemesis(name, fault, targetFromOptions(options, 'one'), parseOptions(options)),
  };
}

export const definitions: NemesisDefinition[] = [
  define('clock', undefined, 'a clock fault drawn per window (bump, strobe or skew) on target nodes (default: one); reset on stop'),
  define('clock-bump', 'bump', 'jump target clocks (default: one node) by ±deltaMs (default 2000, sign drawn); reset on stop'),
  define('clock-strobe', 'strobe', 'flip target clocks between +deltaMs and real time every periodMs for durationMs (defaults 2000/200/2000)'),
  define('clock-skew', 'skew', 'run target clocks (default: one node) at a rate drawn from rates (default 0.5 or 2); reset on stop'),
  {
    name: 'clock-isolated-leader',
    summary: 'cut the leader from every peer while its clock runs at rate (default 0.25; 1: partition only); heal and reset on stop',
    unavailable: (lab, system) => lab.net.missing('partition') ?? system.missing('clock'),
    create: (options) => new IsolatedLeaderClock(typeof options['rate'] === 'number' && options['rate'] > 0 ? options['rate'] : 0.25),
  },
];
