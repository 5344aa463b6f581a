// Membership churn: remove a member (start), then add it back as a learner and promote it (stop).
import type { Json } from '../history/op.js';
import type { MemberInfo } from '../system/system.js';
import { capabilityOf, needsCapability, type Nemesis, type NemesisContext, type NemesisDefinition, type TargetSpec } from './nemesis.js';
import { targetOf } from './process.js';
import { resolveTargets, targetFromOptions } from './targets.js';

class MemberNemesis implements Nemesis {
  readonly name = 'member';
  readonly fs = ['start-member', 'stop-member'] as const;
  private ctx: NemesisContext | undefined;
  private removed: string[] = [];

  constructor(private readonly target: TargetSpec) {}

  async setup(ctx: NemesisContext): Promise<void> {
    this.ctx = ctx;
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('nemesis member: invoke before setup');
    if (f === 'start-member') {
      // One member at a time: removing several at once can lose quorum for good.
      const picked = await resolveTargets(targetOf(value, this.target), ctx);
      const node = picked[Math.floor(ctx.random() * picked.length)];
      if (!node) throw new Error('member: no target node');
      const membership = capabilityOf(ctx.cluster, 'membership');
      const before = (await membership.members()).find((m) => m.peerUrls.some((u) => u.endsWith(`:${peerPortOf(ctx, node)}`)));
      await membership.removeMember(node);
      this.removed.push(node);
      return { node, removed: true, memberId: before?.id ?? null, wiped: true };
    }
    if (f === 'stop-member') return this.readdAll(ctx);
    throw new Error(`nemesis member does not handle ${f}`);
  }

  private async readdAll(ctx: NemesisContext): Promise<Json> {
    const nodes = this.removed;
    this.removed = [];
    const out: Json[] = [];
    const membership = capabilityOf(ctx.cluster, 'membership');
    for (const node of nodes) {
      await membership.addLearner(node);
      await membership.promoteLearner(node);
      // The member list may come from a node that has not applied the promotion yet: look until it has.
      const port = `:${peerPortOf(ctx, node)}`;
      let m: MemberInfo | undefined;
      for (const deadline = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 100))) {
        m = (await membership.members()).find((x) => x.peerUrls.some((u) => u.endsWith(port)));
        if ((m !== undefined && !m.isLearner) || Date.now() > deadline) break;
      }
      out.push({ node, learnerAdded: true, promoted: m !== undefined && !m.isLearner, memberId: m?.id ?? null, pid: ctx.cluster.pid(node) ?? null });
    }
    return { nodes: out };
  }

  async teardown(): Promise<void> {
    if (this.ctx) await this.readdAll(this.ctx);
  }
}

function peerPortOf(ctx: NemesisContext, node: string): number {
  const n = ctx.lab.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`member: unknown node ${node}`);
  return n.peerPorts[0]!;
}

export const definitions: NemesisDefinition[] = [
  {
    name: 'member',
    summary: 'remove a member (default: a follower), re-add it wiped as a learner and promote it on stop',
    unavailable: needsCapability('membership'),
    create: (options) => new MemberNemesis(targetFromOptions(options, 'followers')),
  },
];
