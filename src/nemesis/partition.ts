// Partition nemeses: pure functions computing each partition shape's grudge, and the nemeses that apply them.
import type { Json } from '../history/op.js';
import type { Grudge, Lab } from '../lab/lab.js';
import type { Nemesis, NemesisContext, NemesisDefinition } from './nemesis.js';
import { resolveTargets, shuffle, targetFromOptions } from './targets.js';

export const SHAPES = ['one', 'leader', 'halves', 'ring', 'bridge', 'gray', 'oneway'] as const;
export type PartitionShape = (typeof SHAPES)[number];

/** Nodes in different components drop each other's packets (both directions). */
export function complete(components: readonly (readonly string[])[]): Grudge {
  const g: Grudge = {};
  for (const [i, comp] of components.entries()) {
    const others = components.filter((_, j) => j !== i).flat();
    for (const n of comp) if (others.length > 0) g[n] = [...others].sort();
  }
  return g;
}

/** One node cut from every other. */
export function isolate(nodes: readonly string[], target: string): Grudge {
  return complete([[target], nodes.filter((n) => n !== target)]);
}

/** A random minority cut from the majority. */
export function halves(nodes: readonly string[], random: () => number): Grudge {
  const s = shuffle([...nodes].sort(), random);
  const k = Math.floor(s.length / 2);
  return complete([s.slice(0, k).sort(), s.slice(k).sort()]);
}

/**
 * Every node sees a majority (itself included), and no two nodes see the same one. On a random ring, each node
 * keeps its nearest neighbours: symmetric when a symmetric window of majority size still cuts something
 * (5 nodes: i-1, i, i+1), otherwise directed (3 nodes: n sees itself and its successor, and drops the rest).
 */
export function majoritiesRing(nodes: readonly string[], random: () => number): Grudge {
  const ring = shuffle([...nodes].sort(), random);
  const n = ring.length;
  const m = Math.floor(n / 2) + 1;
  const k = Math.ceil((m - 1) / 2);
  const sees = (i: number): Set<string> => {
    const s = new Set<string>();
    if (2 * k + 1 < n) for (let d = -k; d <= k; d++) s.add(ring[(i + d + n) % n]!);
    else for (let d = 0; d < m; d++) s.add(ring[(i + d) % n]!);
    return s;
  };
  const g: Grudge = {};
  ring.forEach((node, i) => {
    const seen = sees(i);
    const dropped = ring.filter((x) => !seen.has(x)).sort();
    if (dropped.length > 0) g[node] = dropped;
  });
  return g;
}

/** Two halves joined by one bridge node that sees both; the halves do not see each other. */
export function bridge(nodes: readonly string[], random: () => number): Grudge {
  const s = shuffle([...nodes].sort(), random);
  const mid = Math.floor(s.length / 2);
  return complete([s.slice(0, mid).sort(), s.slice(mid + 1).sort()]);
}

/**
 * The asymmetric gray pair: the leader and one follower cut from each other, both still reaching the rest.
 * With no leader known, two random nodes.
 */
export function grayPair(nodes: readonly string[], leader: string | undefined, random: () => number): Grudge {
  const sorted = [...nodes].sort();
  const a = leader ?? shuffle(sorted, random)[0]!;
  const b = shuffle(sorted.filter((n) => n !== a), random)[0]!;
  return { [a]: [b], [b]: [a] };
}

/** One-way: a follower drops the leader's packets, the leader still hears the follower. */
export function oneWay(nodes: readonly string[], leader: string | undefined, random: () => number): Grudge {
  const sorted = [...nodes].sort();
  const from = leader ?? shuffle(sorted, random)[0]!;
  const dropper = shuffle(sorted.filter((n) => n !== from), random)[0]!;
  return { [dropper]: [from] };
}

/** The grudge of a shape. `target` is the node `one` isolates (random when absent). */
export function shapeGrudge(shape: PartitionShape, nodes: readonly string[], leader: string | undefined, random: () => number, target?: string): Grudge {
  if (nodes.length < 2) throw new Error(`a partition needs at least 2 nodes, got ${nodes.length}`);
  switch (shape) {
    case 'one':
      return isolate(nodes, target ?? shuffle([...nodes].sort(), random)[0]!);
    case 'leader':
      if (!leader) throw new Error('partition-leader: no leader is known');
      return isolate(nodes, leader);
    case 'halves':
      return halves(nodes, random);
    case 'ring':
      return majoritiesRing(nodes, random);
    case 'bridge':
      return bridge(nodes, random);
    case 'gray':
      return grayPair(nodes, leader, random);
    case 'oneway':
      return oneWay(nodes, leader, random);
  }
}

/** Union of grudges: several partitions active at once drop everything any of them drops. */
export function mergeGrudges(grudges: Iterable<Grudge>): Grudge {
  const m = new Map<string, Set<string>>();
  for (const g of grudges) for (const [n, peers] of Object.entries(g)) for (const p of peers) (m.get(n) ?? m.set(n, new Set()).get(n)!).add(p);
  return Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([n, s]) => [n, [...s].sort()]));
}

/** Grudges currently applied to each lab, by nemesis name, so concurrent partitions compose and heal separately. */
const active = new WeakMap<Lab, Map<string, Grudge>>();

async function applyActive(lab: Lab): Promise<Grudge> {
  const mine = active.get(lab) ?? new Map<string, Grudge>();
  const merged = mergeGrudges(mine.values());
  if (Object.keys(merged).length === 0) await lab.net.heal();
  else await lab.net.partition(merged);
  return merged;
}

const SHAPE_NEEDS_LEADER: ReadonlySet<PartitionShape> = new Set(['leader', 'gray', 'oneway']);

class PartitionNemesis implements Nemesis {
  readonly fs: readonly string[];
  private ctx: NemesisContext | undefined;

  constructor(
    readonly name: string,
    /** undefined: a random shape on each start. */
    private readonly shape: PartitionShape | undefined,
    private readonly options: Record<string, Json>,
  ) {
    this.fs = [`start-${name}`, `stop-${name}`];
  }

  async setup(ctx: NemesisContext): Promise<void> {
    const why = ctx.lab.net.missing('partition');
    if (why) throw new Error(why);
    this.ctx = ctx;
  }

  async invoke(f: string): Promise<Json> {
    const ctx = this.ctx;
    if (!ctx) throw new Error(`${this.name}: invoke before setup`);
    if (f === `stop-${this.name}`) {
      active.get(ctx.lab)?.delete(this.name);
      const remaining = await applyActive(ctx.lab);
      return { healed: this.name, grudge: remaining };
    }
    if (f !== `start-${this.name}`) throw new Error(`${this.name} does not handle ${f}`);
    const shape = this.shape ?? SHAPES[Math.floor(ctx.random() * SHAPES.length)]!;
    const leader = SHAPE_NEEDS_LEADER.has(shape) ? await resolveTargets('leader', ctx).then((l) => l[0], () => undefined) : undefined;
    let target: string | undefined;
    if (shape === 'one' && (this.options['target'] !== undefined || this.options['nodes'] !== undefined)) {
      target = (await resolveTargets(targetFromOptions(this.options, 'one'), ctx))[0];
    }
    const grudge = shapeGrudge(shape, ctx.cluster.nodes, leader, ctx.random, target);
    const mine = active.get(ctx.lab) ?? new Map<string, Grudge>();
    active.set(ctx.lab, mine);
    mine.set(this.name, grudge);
    await applyActive(ctx.lab);
    const value: Record<string, Json> = { shape, grudge };
    if (leader) value['leader'] = leader;
    return value;
  }

  async teardown(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !active.get(ctx.lab)?.has(this.name)) return;
    active.get(ctx.lab)!.delete(this.name);
    await applyActive(ctx.lab);
  }
}

const SUMMARIES: Record<PartitionShape, string> = {
  one: 'isolate one node (options: target)',
  leader: 'isolate the current leader',
  halves: 'cut a random minority from the majority',
  ring: 'majorities ring: every node sees a majority, no two the same',
  bridge: 'two halves joined by one node that sees both',
  gray: 'asymmetric gray pair: the leader and one follower cut from each other, both still reach the rest',
  oneway: 'one-way: a follower drops the leader\'s packets, not the reverse',
};

const unavailable = (lab: Lab): string | undefined => lab.net.missing('partition');

export const definitions: NemesisDefinition[] = [
  {
    name: 'partition',
    summary: 'a random partition shape each time (from the seeded random)',
    unavailable,
    create: (options) => new PartitionNemesis('partition', undefined, options),
  },
  ...SHAPES.map(
    (shape): NemesisDefinition => ({
      name: `partition-${shape}`,
      summary: SUMMARIES[shape],
      unavailable,
      create: (options) => new PartitionNemesis(`partition-${shape}`, shape, options),
    }),
  ),
];
