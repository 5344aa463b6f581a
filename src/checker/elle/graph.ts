// The transaction dependency graph: edges labelled ww/wr/rw/realtime/process, stored flat, and its SCCs.

/** Edge labels, as bits: one edge between two transactions may carry several. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const RT = 8;
export const PROC = 16;
export const DATA = WW | WR | RW;

export const LABEL_NAMES: Readonly<Record<number, string>> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [RT]: 'realtime', [PROC]: 'process' };

/**
 * Compressed adjacency: the out-edges of vertex v are targets[offsets[v] .. offsets[v+1]), each with the
 * OR of its labels in masks. Flat typed arrays: a 100k-transaction graph has about a million edges, and
 * a Map per vertex would cost ten times the memory.
 */
export interface Graph {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
  masks: Uint8Array;
}

/** Collects edges in any order, duplicates allowed; build() sorts them by source and merges duplicates. */
export class GraphBuilder {
  private src = new Int32Array(1024);
  private dst = new Int32Array(1024);
  private lab = new Uint8Array(1024);
  private m = 0;

  constructor(readonly n: number) {}

  add(a: number, b: number, label: number): void {
    // A transaction never depends on itself: its own reads of its own writes are checked as internal consistency.
    if (a === b) return;
    if (this.m === this.src.length) {
      const grow = <T extends Int32Array | Uint8Array>(x: T, make: (n: number) => T): T => {
        const y = make(x.length * 2);
        y.set(x);
        return y;
      };
      this.src = grow(this.src, (k) => new Int32Array(k));
      this.dst = grow(this.dst, (k) => new Int32Array(k));
      this.lab = grow(this.lab, (k) => new Uint8Array(k));
    }
    this.src[this.m] = a;
    this.dst[this.m] = b;
    this.lab[this.m] = label;
    this.m++;
  }

  build(): Graph {
    const { n, m } = this;
    const count = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) count[this.src[i]! + 1]!++;
    for (let v = 0; v < n; v++) count[v + 1]! += count[v]!;
    const fill = count.slice();
    const t = new Int32Array(m);
    const l = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const at = fill[this.src[i]!]!++;
      t[at] = this.dst[i]!;
      l[at] = this.lab[i]!;
    }
    // Merge duplicate targets per source in one pass: seen[target] = where it sits in this source's run.
    const seen = new Int32Array(n).fill(-1);
    const offsets = new Int32Array(n + 1);
    let out = 0;
    for (let v = 0; v < n; v++) {
      offsets[v] = out;
      const start = out;
      for (let i = count[v]!; i < count[v + 1]!; i++) {
        const w = t[i]!;
        const at = seen[w]!;
        if (at >= start) l[at]! |= l[i]!;
        else {
          seen[w] = out;
          t[out] = w;
          l[out] = l[i]!;
          out++;
        }
      }
    }
    offsets[n] = out;
    return { n, offsets, targets: t.slice(0, out), masks: l.slice(0, out) };
  }
}

/** The label set of the edge a → b (0 when there is none). */
export function edgeMask(g: Graph, a: number, b: number): number {
  for (let i = g.offsets[a]!; i < g.offsets[a + 1]!; i++) if (g.targets[i] === b) return g.masks[i]!;
  return 0;
}

/**
 * Strongly connected components of the subgraph of edges carrying any label in `allowed` (Tarjan's
 * algorithm, iterative: recursion would overflow the stack on a long chain of transactions). Returns
 * the components with two or more vertices (a single transaction cannot be in a cycle: no self-edges).
 */
export function sccs(g: Graph, allowed: number): number[][] {
  const { n, offsets, targets, masks } = g;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callV = new Int32Array(n);
  const callE = new Int32Array(n);
  let sp = 0;
  let next = 0;
  const out: number[][] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callV[0] = root;
    callE[0] = offsets[root]!;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callV[depth]!;
      let e = callE[depth]!;
      let descended = false;
      while (e < offsets[v + 1]!) {
        const w = targets[e]!;
        const ok = (masks[e]! & allowed) !== 0;
        e++;
        if (!ok) continue;
        if (index[w] === -1) {
          callE[depth] = e;
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          depth++;
          callV[depth] = w;
          callE[depth] = offsets[w]!;
          descended = true;
          break;
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1) out.push(comp.reverse());
      }
      depth--;
      if (depth >= 0) {
        const u = callV[depth]!;
        low[u] = Math.min(low[u]!, low[v]!);
      }
    }
  }
  return out;
}
