// Searches a strongly connected component for the shortest cycle of each anomaly kind (G0 ... G2-item).
import { PROC, RT, RW, WR, WW, type Graph } from './graph.js';

/** Elle's cycle kinds, by the data edges they contain; `-realtime`/`-process` variants add time edges. */
export const CYCLE_KINDS = ['G0', 'G1c', 'G-single', 'G-nonadjacent', 'G2-item'] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];

export interface FoundCycle {
  /** The kind with its variant suffix: `G-single`, `G-single-realtime`, `G0-process`. */
  type: string;
  /** Vertices in cycle order; the last one's edge goes back to the first. */
  nodes: number[];
  /** The one label each step was taken as: labels[i] for nodes[i] → nodes[(i+1) % k]. */
  labels: number[];
}

/** Edge relaxations allowed across all searches of one check; when it runs out, the search stops. */
export interface Budget {
  remaining: number;
  exhausted: boolean;
}

// Search state bits: what the path so far contains. Six bits, so a vertex has at most 64 states.
const HAS_TIME = 1;
const RW1 = 2; // at least one rw
const RW2 = 4; // at least two rw
const LAST_RW = 8; // the last edge taken was rw
const ADJ = 16; // two rw edges were adjacent
const HAS_WR = 32;
const STATES = 64;

/**
 * Each kind as a path automaton over edge labels. Kinds with rw edges make the first edge an rw, which
 * every such cycle can be rotated to: then "no two rw adjacent" needs no wrap-around bookkeeping beyond
 * the last edge (Elle's trick), and only vertices with an outgoing rw need to be tried as starts.
 * `timed`: time edges (realtime, process) may be used, and at least one must be.
 */
function step(kind: CycleKind, timed: boolean, s: number, label: number, first: boolean): number {
  const rwFirst = kind === 'G-single' || kind === 'G-nonadjacent' || kind === 'G2-item';
  if (first && rwFirst && label !== RW) return -1;
  switch (label) {
    case RT:
    case PROC:
      return timed ? (s | HAS_TIME) & ~LAST_RW : -1;
    case WW:
      return s & ~LAST_RW;
    case WR:
      return kind === 'G0' ? -1 : (s | HAS_WR) & ~LAST_RW;
    case RW:
      if (kind === 'G0' || kind === 'G1c') return -1;
      if (kind === 'G-single') return s & RW1 ? -1 : s | RW1 | LAST_RW;
      if (kind === 'G-nonadjacent') return s & LAST_RW ? -1 : s | (s & RW1 ? RW2 : RW1) | LAST_RW;
      return s | (s & RW1 ? RW2 : RW1) | LAST_RW | (s & LAST_RW ? ADJ : 0);
  }
  return -1;
}

function accepts(kind: CycleKind, timed: boolean, s: number): boolean {
  if (timed && !(s & HAS_TIME)) return false;
  switch (kind) {
    case 'G0':
      return true;
    case 'G1c':
      return (s & HAS_WR) !== 0;
    case 'G-single':
      return (s & RW1) !== 0;
    case 'G-nonadjacent':
      // The first edge is rw, so the last must not be: that pair is adjacent around the cycle.
      return (s & RW2) !== 0 && !(s & LAST_RW);
    case 'G2-item':
      return (s & RW2) !== 0 && ((s & ADJ) !== 0 || (s & LAST_RW) !== 0);
  }
}

// An edge with several labels is tried as each. Process before realtime: when one edge is both, the search
// keeps the first label that reaches a state, and "same process" is the plainer explanation.
const SINGLE_LABELS = [WW, WR, RW, PROC, RT];

/**
 * Reusable scratch space for the breadth-first search over (vertex, state) pairs, indexed by a vertex's
 * place in the component: stamps say which search last visited a pair, so nothing is cleared between searches.
 */
export class CycleSearch {
  private local: Int32Array;
  private stamp = new Int32Array(0);
  private parent = new Int32Array(0);
  private via = new Uint8Array(0);
  private queue = new Int32Array(0);
  private gen = 0;

  constructor(private readonly g: Graph) {
    this.local = new Int32Array(g.n).fill(-1);
  }

  /**
   * The shortest cycle of `kind` within the component `members` (all of whose vertices are mutually
   * reachable over `allowed` labels), or undefined if there is none, or the budget ran out first.
   */
  shortest(members: readonly number[], allowed: number, kind: CycleKind, timed: boolean, budget: Budget): FoundCycle | undefined {
    const size = members.length * STATES;
    if (this.stamp.length < size) {
      this.stamp = new Int32Array(size);
      this.parent = new Int32Array(size);
      this.via = new Uint8Array(size);
      this.queue = new Int32Array(size);
    }
    for (let i = 0; i < members.length; i++) this.local[members[i]!] = i;
    let best: FoundCycle | undefined;
    try {
      for (let i = 0; i < members.length && !budget.exhausted; i++) {
        const found = this.from(members, i, allowed, kind, timed, budget, best ? best.nodes.length : Infinity);
        if (found && (!best || found.nodes.length < best.nodes.length)) best = found;
        // Two transactions is the shortest cycle there is (no self-edges).
        if (best && best.nodes.length === 2) break;
      }
    } finally {
      for (const v of members) this.local[v] = -1;
    }
    return best && { ...best, type: kind + (timed ? timedSuffix(best.labels) : '') };
  }

  /** BFS from members[start] back to itself, paths shorter than `bound` only. */
  private from(members: readonly number[], start: number, allowed: number, kind: CycleKind, timed: boolean, budget: Budget, bound: number): FoundCycle | undefined {
    const { offsets, targets, masks } = this.g;
    const gen = ++this.gen;
    const { stamp, parent, via, queue, local } = this;
    let head = 0;
    let tail = 0;
    // Pair code: local vertex * STATES + state. The start pair is never marked: arriving back there ends the search.
    const s0 = start * STATES;
    queue[tail++] = s0;
    let levelEnd = tail;
    let depth = 0;
    while (head < tail) {
      if (head === levelEnd) {
        depth++;
        levelEnd = tail;
      }
      // A path of depth+1 edges cannot beat a cycle already found with `bound` edges.
      if (depth + 1 >= bound) return undefined;
      const code = queue[head++]!;
      const u = (code / STATES) | 0;
      const s = code % STATES;
      const v = members[u]!;
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const m = masks[e]! & allowed;
        if (m === 0) continue;
        const w = local[targets[e]!]!;
        if (w < 0) continue;
        if (--budget.remaining < 0) {
          budget.exhausted = true;
          return undefined;
        }
        for (const label of SINGLE_LABELS) {
          if (!(m & label)) continue;
          const ns = step(kind, timed, s, label, code === s0);
          if (ns < 0) continue;
          if (w === start) {
            if (accepts(kind, timed, ns)) return this.path(members, code, label, s0);
            continue;
          }
          const nc = w * STATES + ns;
          if (stamp[nc] === gen) continue;
          stamp[nc] = gen;
          parent[nc] = code;
          via[nc] = label;
          queue[tail++] = nc;
        }
      }
    }
    return undefined;
  }

  private path(members: readonly number[], lastCode: number, lastLabel: number, s0: number): FoundCycle {
    const nodes: number[] = [];
    const labels: number[] = [lastLabel];
    let c = lastCode;
    while (c !== s0) {
      nodes.push(members[(c / STATES) | 0]!);
      labels.push(this.via[c]!);
      c = this.parent[c]!;
    }
    nodes.push(members[(s0 / STATES) | 0]!);
    nodes.reverse();
    labels.reverse();
    return { type: '', nodes, labels };
  }
}

/** Elle's naming: any realtime edge makes it `-realtime`, else process edges make it `-process`. */
function timedSuffix(labels: readonly number[]): string {
  if (labels.includes(RT)) return '-realtime';
  return labels.includes(PROC) ? '-process' : '';
}
