// Resolves a nemesis TargetSpec (one, minority, majority, leader, followers, all, named) to node names.
import type { NemesisContext, TargetSpec } from './nemesis.js';

/** How long `leader`/`followers` wait for a leader to be known (an election may be in progress). */
const LEADER_WAIT_MS = 5000;

/** Fisher–Yates with the seeded source, so the same seed picks the same nodes. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Size of the largest minority: 1 of 3, 2 of 5 (a majority survives without them). */
export const minoritySize = (n: number): number => Math.floor((n - 1) / 2);
export const majoritySize = (n: number): number => Math.floor(n / 2) + 1;

/** Pure part of resolution, for unit tests: every spec except the leader-dependent ones. */
export function pickTargets(spec: TargetSpec, nodes: readonly string[], leader: string | undefined, random: () => number): string[] {
  const sorted = [...nodes].sort();
  if (typeof spec === 'object') {
    const unknown = spec.nodes.filter((n) => !sorted.includes(n));
    if (unknown.length > 0) throw new Error(`unknown target node(s) ${unknown.join(', ')} (nodes: ${sorted.join(', ')})`);
    return [...new Set(spec.nodes)];
  }
  switch (spec) {
    case 'all':
      return sorted;
    case 'one':
      return shuffle(sorted, random).slice(0, 1);
    case 'minority':
      return shuffle(sorted, random).slice(0, minoritySize(sorted.length)).sort();
    case 'majority':
      return shuffle(sorted, random).slice(0, majoritySize(sorted.length)).sort();
    case 'leader':
      if (!leader) throw new Error('target "leader": no leader is known');
      return [leader];
    case 'followers':
      if (!leader) throw new Error('target "followers": no leader is known');
      return sorted.filter((n) => n !== leader);
    default:
      throw new Error(`unknown target spec ${JSON.stringify(spec)} (one, minority, majority, leader, followers, all, or {nodes:[...]})`);
  }
}

/** Waits (briefly) for a leader when the spec needs one: right after a fault an election may be running. */
async function awaitLeader(ctx: NemesisContext): Promise<string | undefined> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const l = await ctx.cluster.leader().catch(() => undefined);
    if (l !== undefined || Date.now() >= deadline) return l;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function resolveTargets(spec: TargetSpec, ctx: NemesisContext): Promise<string[]> {
  const needsLeader = spec === 'leader' || spec === 'followers';
  const leader = needsLeader ? await awaitLeader(ctx) : undefined;
  return pickTargets(spec, ctx.cluster.nodes, leader, ctx.random);
}

/** Reads a TargetSpec from nemesis options ({ target: 'leader' } or { target: { nodes: ['n1'] } } or { nodes: [...] }). */
export function targetFromOptions(options: Record<string, unknown>, fallback: TargetSpec): TargetSpec {
  const t = options['target'] ?? (Array.isArray(options['nodes']) ? { nodes: options['nodes'] } : undefined);
  if (t === undefined) return fallback;
  if (typeof t === 'string') {
    if (['one', 'minority', 'majority', 'leader', 'followers', 'all'].includes(t)) return t as TargetSpec;
    // A bare node name ("n2") is the commonest hand-written target.
    return { nodes: [t] };
  }
  if (typeof t === 'object' && t !== null && Array.isArray((t as { nodes?: unknown }).nodes)) {
    return { nodes: (t as { nodes: unknown[] }).nodes.map(String) };
  }
  throw new Error(`bad target ${JSON.stringify(t)}: use one, minority, majority, leader, followers, all, a node name or {nodes:[...]}`);
}
