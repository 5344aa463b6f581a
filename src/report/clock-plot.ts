// Jepsen's clock plot as data: each node's clock offset from real time over the run, from the clock nemesis ops.
//
// The clock nemeses (src/nemesis/clock.ts) record, in every completed start and stop, `clocks`: for each node
// they changed, the offset from real time (ms) as set at that moment and the rate it runs at from then on.
// Between two records a node's offset is therefore linear, offset(t) = offsetMs + (t - t0)·(rate - 1), so the
// plot needs only the breakpoints: one point just before each change (where the old line got to) and one at
// the change, plus the run's start and end. A strobe records its first setting and its grid (`strobe`:
// deltaMs, periodMs, durationMs); its flips are reconstructed here on that grid, as the nemesis makes them.
// What the plot cannot know: a node restarted while skewed starts again at real time (its rate kept), which
// no clock record says; the offsets are those the harness set, not read back from the node.
import { NEMESIS, type Json, type Op } from '../history/op.js';

/** One breakpoint of one node's offset line; `seq` orders two points at the same time (a jump). */
export interface ClockPoint {
  /** Seconds since time zero. */
  t: number;
  node: string;
  /** Offset of the node's clock from real time, ms (positive: ahead). */
  offsetMs: number;
  rate: number;
  seq: number;
}

interface State {
  offsetMs: number;
  rate: number;
  sinceNs: number;
}

type Obj = { [k: string]: Json };
const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const finite = (v: Json | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** A clock setting applied to one node at one time (ns). */
interface Change {
  timeNs: number;
  node: string;
  offsetMs: number;
  rate: number;
}

/** The settings one completed nemesis op applied: its `clocks`, and a strobe's flips on its grid. */
function changesOf(op: Op, endNs: number): Change[] {
  const v = op.value;
  if (!isObj(v) || !isObj(v['clocks'])) return [];
  const out: Change[] = [];
  for (const [node, c] of Object.entries(v['clocks'])) {
    if (!isObj(c) || !finite(c['offsetMs']) || !finite(c['rate'])) continue;
    out.push({ timeNs: op.time, node, offsetMs: c['offsetMs'], rate: c['rate'] });
  }
  const s = v['strobe'];
  if (isObj(s) && finite(s['deltaMs']) && finite(s['periodMs']) && finite(s['durationMs']) && s['periodMs'] > 0) {
    const nodes = out.map((c) => c.node);
    // Tick k (k ≥ 1) at start + k·period sets +delta on even k and real time on odd k; the tick at or past
    // durationMs sets real time and is the last.
    for (let k = 1; ; k++) {
      const at = op.time + k * s['periodMs'] * 1e6;
      if (at > endNs) break;
      const last = k * s['periodMs'] >= s['durationMs'];
      for (const node of nodes) out.push({ timeNs: at, node, offsetMs: k % 2 === 0 && !last ? s['deltaMs'] : 0, rate: 1 });
      if (last) break;
    }
  }
  return out;
}

/**
 * The offset series of every node a clock fault touched, or [] when the run had none. Only completed nemesis
 * records count (an invocation says what was asked, not what was applied). A later record supersedes pending
 * strobe flips of the same node: a stop resets the clock and cancels the strobe.
 */
export function clockSeries(history: readonly Op[], endNs: number): ClockPoint[] {
  const changes: Change[] = [];
  for (const op of history) {
    if (op.process !== NEMESIS || op.type === 'invoke') continue;
    const mine = changesOf(op, endNs);
    if (mine.length === 0) continue;
    // Drop flips of earlier strobes still pending on these nodes: this record overrides them.
    const touched = new Set(mine.filter((c) => c.timeNs === op.time).map((c) => c.node));
    for (let i = changes.length - 1; i >= 0; i--) if (touched.has(changes[i]!.node) && changes[i]!.timeNs > op.time) changes.splice(i, 1);
    changes.push(...mine);
  }
  if (changes.length === 0) return [];
  changes.sort((a, b) => a.timeNs - b.timeNs);
  const state = new Map<string, State>();
  const points: ClockPoint[] = [];
  let seq = 0;
  const at = (s: State, tNs: number): number => s.offsetMs + ((tNs - s.sinceNs) / 1e6) * (s.rate - 1);
  const push = (tNs: number, node: string, offsetMs: number, rate: number): void => {
    points.push({ t: round(tNs / 1e9, 6), node, offsetMs: round(offsetMs, 3), rate, seq: seq++ });
  };
  for (const c of changes) {
    let s = state.get(c.node);
    if (!s) {
      // Every node starts at real time; its line is flat until the first change.
      s = { offsetMs: 0, rate: 1, sinceNs: 0 };
      push(0, c.node, 0, 1);
    }
    push(c.timeNs, c.node, at(s, c.timeNs), s.rate);
    state.set(c.node, { offsetMs: c.offsetMs, rate: c.rate, sinceNs: c.timeNs });
    push(c.timeNs, c.node, c.offsetMs, c.rate);
  }
  for (const [node, s] of [...state].sort(([a], [b]) => a.localeCompare(b))) push(Math.max(endNs, s.sinceNs), node, at(s, Math.max(endNs, s.sinceNs)), s.rate);
  return points;
}
