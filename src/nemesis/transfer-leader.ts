// Leadership transfer: move leadership to a chosen node or a random follower (etcd MoveLeader).
import type { Json } from '../history/op.js';
import { capabilityOf, needsCapability, type Nemesis, type NemesisContext, type NemesisDefinition } from './nemesis.js';
import { resolveTargets } from './targets.js';

class TransferLeaderNemesis implements Nemesis {
  readonly name = 'transfer-leader';
  readonly fs = ['start-transfer-leader', 'stop-transfer-leader'] as const;
  private ctx: NemesisContext | undefined;

  constructor(private readonly to: string | undefined) {}

  async setup(ctx: NemesisContext): Promise<void> {
    if (this.to !== undefined && !ctx.cluster.nodes.includes(this.to)) {
      throw new Error(`transfer-leader: unknown node ${this.to} (nodes: ${ctx.cluster.nodes.join(', ')})`);
    }
    this.ctx = ctx;
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('nemesis transfer-leader: invoke before setup');
    if (f === 'start-transfer-leader') {
      const from = await ctx.cluster.leader();
      if (!from) throw new Error('transfer-leader: no leader is known');
      const asked = value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value['to'] === 'string' ? value['to'] : this.to;
      // A random follower from the seeded source when no node is named.
      const followers = (await resolveTargets('followers', ctx)).filter((n) => ctx.cluster.isRunning(n) && !ctx.cluster.isPaused(n));
      const to = asked ?? followers[Math.floor(ctx.random() * followers.length)];
      if (!to) throw new Error('transfer-leader: no running follower to move leadership to');
      if (to === from) return { from, to, moved: false };
      await capabilityOf(ctx.cluster, 'transfer').transferLeadership(to);
      return { from, to, moved: true };
    }
    if (f === 'stop-transfer-leader') return { leader: (await ctx.cluster.leader()) ?? null };
    throw new Error(`nemesis transfer-leader does not handle ${f}`);
  }

  async teardown(): Promise<void> {
    // A transfer is instantaneous: nothing stays in effect.
  }
}

export const definitions: NemesisDefinition[] = [
  {
    name: 'transfer-leader',
    summary: 'move leadership to a random follower (or option `to`)',
    unavailable: needsCapability('transfer'),
    create: (options) => new TransferLeaderNemesis(typeof options['to'] === 'string' ? options['to'] : undefined),
  },
];
