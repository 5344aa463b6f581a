// Shaping nemeses: packet loss, delay/jitter and bandwidth limits on the links of chosen nodes, through lab.net.
import type { Json } from '../history/op.js';
import type { Lab, Link, NetCapability } from '../lab/lab.js';
import type { Nemesis, NemesisContext, NemesisDefinition } from './nemesis.js';
import { resolveTargets, targetFromOptions } from './targets.js';

type Kind = 'loss' | 'delay' | 'bandwidth';

/** Every directed link between a target and any other node, both ways (a shaped node is slow to and from all). */
export function linksOf(targets: readonly string[], nodes: readonly string[]): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    for (const o of nodes) {
      if (o === t) continue;
      for (const l of [{ from: t, to: o }, { from: o, to: t }]) {
        const k = `${l.from}>${l.to}`;
        if (!seen.has(k)) (seen.add(k), links.push(l));
      }
    }
  }
  return links.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

function num(options: Record<string, Json>, key: string, fallback: number, min: number, max = Infinity): number {
  const v = options[key] ?? fallback;
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new Error(`option ${key} must be a number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** What each kind applies; stored per lab so stopping one kind re-applies the others after clearShaping. */
interface Applied {
  apply(lab: Lab): Promise<void>;
}

const active = new WeakMap<Lab, Map<Kind, Applied>>();

class ShapingNemesis implements Nemesis {
  readonly name: Kind;
  readonly fs: readonly string[];
  private ctx: NemesisContext | undefined;

  constructor(
    kind: Kind,
    private readonly options: Record<string, Json>,
  ) {
    this.name = kind;
    this.fs = [`start-${kind}`, `stop-${kind}`];
    // Fail on bad options when the schedule is loaded, not minutes into the run.
    this.params();
    this.toLeader();
  }

  /**
   * delay's `toLeaderMs`: one-way delays (ms) for the followers' packets to the leader, given to the followers in
   * name order once the leader is known at start. The leader's own packets leave undelayed, so its round trip to
   * follower i is toLeaderMs[i] (plus the base RTT); one delay per sender fits the one-helper-per-node NFQUEUE lab.
   */
  private toLeader(): number[] | undefined {
    const v = this.options['toLeaderMs'];
    if (v === undefined) return undefined;
    if (this.name !== 'delay') throw new Error(`option toLeaderMs belongs to the delay nemesis, not ${this.name}`);
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && x >= 0 && x <= 60_000)) {
      throw new Error(`option toLeaderMs must be a non-empty array of numbers in 0..60000, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  }

  private params(): { p: number; delayMs: number; jitterMs: number; kbit: number } {
    return {
      p: num(this.options, 'p', 0.2, 0, 1),
      delayMs: num(this.options, 'delayMs', 50, 0, 60_000),
      jitterMs: num(this.options, 'jitterMs', 10, 0, 60_000),
      kbit: num(this.options, 'kbit', 1000, 1),
    };
  }

  async setup(ctx: NemesisContext): Promise<void> {
    const why = ctx.lab.net.missing(this.name as NetCapability);
    if (why) throw new Error(why);
    this.ctx = ctx;
  }

  async invoke(f: string): Promise<Json> {
    const ctx = this.ctx;
    if (!ctx) throw new Error(`${this.name}: invoke before setup`);
    const lab = ctx.lab;
    const mine = active.get(lab) ?? new Map<Kind, Applied>();
    active.set(lab, mine);
    if (f === `stop-${this.name}`) {
      mine.delete(this.name);
      await reapply(lab, mine);
      return { healed: this.name };
    }
    if (f !== `start-${this.name}`) throw new Error(`${this.name} does not handle ${f}`);
    const perFollower = this.toLeader();
    if (perFollower) {
      const each = lab.net.delayEach?.bind(lab.net);
      if (!each) throw new Error('this lab cannot give links different delays (toLeaderMs): use --lab netns');
      const [leader] = await resolveTargets('leader', ctx);
      const followers = [...ctx.cluster.nodes].filter((n) => n !== leader).sort();
      if (perFollower.length !== followers.length) throw new Error(`toLeaderMs has ${perFollower.length} delays for ${followers.length} followers`);
      const { jitterMs } = this.params();
      const links = followers.map((f, i) => ({ from: f, to: leader!, delayMs: perFollower[i]! }));
      const applied: Applied = { apply: (l) => (l.net.delayEach ? l.net.delayEach(links, jitterMs) : Promise.reject(new Error('delayEach missing'))) };
      mine.set(this.name, applied);
      await applied.apply(lab);
      return { leader: leader!, links: links.map((l) => [l.from, l.to, l.delayMs]), jitterMs };
    }
    const targets = await resolveTargets(targetFromOptions(this.options, 'all'), ctx);
    const links = linksOf(targets, ctx.cluster.nodes);
    const { p, delayMs, jitterMs, kbit } = this.params();
    const shown = links.map((l) => [l.from, l.to]);
    let applied: Applied;
    let value: Json;
    switch (this.name) {
      case 'loss':
        applied = { apply: (l) => l.net.loss(links, p) };
        value = { links: shown, p };
        break;
      case 'delay':
        applied = { apply: (l) => l.net.delay(links, delayMs, jitterMs) };
        value = { links: shown, delayMs, jitterMs };
        break;
      case 'bandwidth':
        applied = { apply: (l) => l.net.bandwidth(targets, kbit) };
        value = { nodes: targets, kbit };
        break;
    }
    mine.set(this.name, applied);
    await applied.apply(lab);
    return value;
  }

  async teardown(): Promise<void> {
    const ctx = this.ctx;
    const mine = ctx && active.get(ctx.lab);
    if (!ctx || !mine?.has(this.name)) return;
    mine.delete(this.name);
    await reapply(ctx.lab, mine);
  }
}

/** clearShaping removes every kind at once; the kinds still active are put back. */
async function reapply(lab: Lab, mine: Map<Kind, Applied>): Promise<void> {
  await lab.net.clearShaping();
  for (const a of mine.values()) await a.apply(lab);
}

const def = (kind: Kind, summary: string): NemesisDefinition => ({
  name: kind,
  summary,
  unavailable: (lab) => lab.net.missing(kind),
  create: (options) => new ShapingNemesis(kind, options),
});

export const definitions: NemesisDefinition[] = [
  def('loss', 'drop packets at random on the links of the targets (options: p=0.2, target=all)'),
  def('delay', 'hold packets delayMs ± jitterMs on the links of the targets (options: delayMs=50, jitterMs=10, target=all; or toLeaderMs=[d1,..] per follower, by name, on its packets to the leader)'),
  def('bandwidth', 'limit the targets\' egress bandwidth (options: kbit=1000, target=all)'),
];
