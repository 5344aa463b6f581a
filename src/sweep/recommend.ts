// The Pareto front of availability against latency, the recommended cell with its reasons, and a check of
// the "election timeout ≈ 5× heartbeat" rule of thumb against the measured cells.
import type { CellRecord } from './state.js';

export type AvailabilityAxis = 'unavailableS' | 'electionS';

export interface ParetoPoint {
  id: string;
  heartbeatMs: number;
  electionMs: number;
  preVote: boolean;
  /** Seconds without service after the fault (lower is better). */
  availabilityS: number;
  p99Ms: number;
  front: boolean;
}

export interface Recommendation {
  axis: AvailabilityAxis;
  points: ParetoPoint[];
  /** undefined when no cell has both figures. */
  best?: { id: string; reasons: string[] };
  /** Plain statements about election/heartbeat ratios, each backed by the figures it cites. */
  ruleOfThumb: string[];
}

const done = (cells: readonly CellRecord[]): CellRecord[] => cells.filter((c) => c.status === 'done' && c.metrics);
const fmt = (x: number, d = 3): string => String(Math.round(x * 10 ** d) / 10 ** d);

/** Unavailability after leader isolation when measured (full mode); time to a new leader after a kill otherwise. */
export function availabilityAxis(cells: readonly CellRecord[]): AvailabilityAxis {
  return done(cells).some((c) => c.metrics!.unavailableS !== null) ? 'unavailableS' : 'electionS';
}

/** Minimising both: a point is on the front when no other point is at least as good in both and better in one. */
export function paretoFront<T extends { availabilityS: number; p99Ms: number }>(pts: readonly T[]): Set<T> {
  const front = new Set<T>();
  for (const p of pts) {
    const dominated = pts.some((q) => q !== p && q.availabilityS <= p.availabilityS && q.p99Ms <= p.p99Ms && (q.availabilityS < p.availabilityS || q.p99Ms < p.p99Ms));
    if (!dominated) front.add(p);
  }
  return front;
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function recommend(cells: readonly CellRecord[]): Recommendation {
  const axis = availabilityAxis(cells);
  const measured = done(cells);
  // A cell whose runs were not linearizable is never recommended, however fast.
  const eligible = measured.filter((c) => c.valid !== false && c.metrics![axis] !== null && c.metrics!.p99Ms !== null);
  const pts: ParetoPoint[] = eligible.map((c) => ({ id: c.id, heartbeatMs: c.heartbeatMs, electionMs: c.electionMs, preVote: c.preVote, availabilityS: c.metrics![axis]!, p99Ms: c.metrics!.p99Ms!, front: false }));
  const front = paretoFront(pts);
  for (const p of front) p.front = true;
  const out: Recommendation = { axis, points: pts, ruleOfThumb: ruleOfThumb(cells) };
  if (pts.length === 0) return out;

  const byId = new Map(eligible.map((c) => [c.id, c]));
  const minA = Math.max(1e-3, Math.min(...pts.map((p) => p.availabilityS)));
  const minL = Math.max(1e-3, Math.min(...pts.map((p) => p.p99Ms)));
  // Instability counts against a cell: leader changes the faults caused and elections with no fault at all.
  const instability = (c: CellRecord): number => (c.metrics!.spuriousElections ?? 0) + 0.5 * (c.metrics!.grayLeaderChanges ?? 0) + 0.5 * (c.metrics!.lossLeaderChanges ?? 0);
  const score = (p: ParetoPoint): number => p.availabilityS / minA + p.p99Ms / minL + instability(byId.get(p.id)!);
  const pick = [...front].sort((a, b) => score(a) - score(b) || a.id.localeCompare(b.id))[0]!;
  const c = byId.get(pick.id)!;
  const m = c.metrics!;
  const axisWords = axis === 'unavailableS' ? 'writes stopped after leader isolation' : 'time to a new leader after the leader was killed';
  const reasons = [
    `on the Pareto front: no other cell is both more available and faster (${front.size} of ${pts.length} measured cells are on it)`,
    `${axisWords}: ${fmt(pick.availabilityS)} s (best in the grid ${fmt(minA)} s); p99 commit latency without faults ${fmt(pick.p99Ms)} ms (best ${fmt(minL)} ms)`,
  ];
  if (axis === 'unavailableS' && m.electionS !== null) reasons.push(`new leader ${fmt(m.electionS)} s after the leader was killed`);
  reasons.push(m.spuriousElections === null ? 'elections with no fault: not measured' : `${m.spuriousElections} election(s) with no fault at all`);
  if (m.grayLeaderChanges !== null) reasons.push(`gray partition: ${m.grayLeaderChanges} leader change(s), term +${m.grayTermGrowth}`);
  if (m.lossLeaderChanges !== null) reasons.push(`packet loss: ${m.lossLeaderChanges} leader change(s), term +${m.lossTermGrowth}`);
  const twin = measured.find((x) => x.heartbeatMs === c.heartbeatMs && x.electionMs === c.electionMs && x.preVote !== c.preVote);
  if (twin?.metrics && twin.metrics.grayTermGrowth !== null && m.grayTermGrowth !== null) {
    reasons.push(`pre-vote ${c.preVote ? 'on' : 'off'} here; with pre-vote ${twin.preVote ? 'on' : 'off'} the same timings gave term +${twin.metrics.grayTermGrowth} and ${twin.metrics.grayLeaderChanges} leader change(s) under the gray partition`);
  }
  const invalid = measured.filter((x) => x.valid === false).length;
  if (invalid) reasons.push(`${invalid} cell(s) excluded because a run was not linearizable`);
  out.best = { id: pick.id, reasons };
  return out;
}

/**
 * The folk rule says an election timeout about 5× the heartbeat is enough. etcd enforces ≥ 5× at start-up;
 * whether 5× is *comfortable* is what the measured cells can say: instability near 5× versus ≥ 10×, and
 * whether failover time follows the ratio or the election timeout itself.
 */
export function ruleOfThumb(cells: readonly CellRecord[]): string[] {
  const out: string[] = [];
  const ratio = (c: CellRecord): number => c.electionMs / c.heartbeatMs;
  const refused = cells.filter((c) => c.status === 'refused');
  if (refused.length) {
    const below = refused.filter((c) => ratio(c) < 5);
    out.push(
      `the system refused ${refused.length} cell(s) (${refused.map((c) => `${c.id}: ${fmt(ratio(c), 2)}×`).join(', ')})` +
        (below.length === refused.length ? ': every one below 5× — etcd enforces the 5× minimum itself, so below it there is nothing to measure.' : '; not all below 5×: see the reasons in the table.'),
    );
  }
  const measured = done(cells);
  if (measured.length === 0) {
    out.push('No cell was measured, so the data say nothing about the rule yet.');
    return out;
  }
  const near = measured.filter((c) => ratio(c) < 7.5);
  const wide = measured.filter((c) => ratio(c) >= 10);
  const inst = (cs: CellRecord[]): { n: number; value: number | null } => {
    const xs = cs.map((c) => (c.metrics!.spuriousElections ?? 0) + (c.metrics!.grayLeaderChanges ?? 0) + (c.metrics!.lossLeaderChanges ?? 0));
    return { n: cs.length, value: mean(xs) };
  };
  const a = inst(near);
  const b = inst(wide);
  if (a.n && b.n) {
    const verdict =
      a.value! > b.value! ? `cells near 5× were less stable: the data support keeping the ratio well above 5× on this machine` : a.value! < b.value! ? `cells near 5× were not less stable than ≥ 10× here: the data do not show 5× to be too tight` : `no difference in stability between near-5× and ≥ 10× cells in these runs`;
    out.push(`Leader changes (no fault + gray partition + packet loss), mean per cell: ${fmt(a.value!, 2)} for ratio < 7.5× (${a.n} cell(s)) vs ${fmt(b.value!, 2)} for ratio ≥ 10× (${b.n} cell(s)) — ${verdict}.`);
  } else {
    out.push(`Only ${near.length ? 'near-5×' : '≥ 10× (or 7.5–10×)'} cells were measured: the grid cannot compare 5× against wider ratios; add cells on the other side.`);
  }
  // Does failover follow the election timeout or the ratio? Median time to a new leader per election timeout.
  const byEl = new Map<number, number[]>();
  for (const c of measured) if (c.metrics!.electionS !== null) (byEl.get(c.electionMs) ?? byEl.set(c.electionMs, []).get(c.electionMs)!).push(c.metrics!.electionS!);
  if (byEl.size > 0) {
    const sorted = [...byEl].sort(([x], [y]) => x - y);
    const parts = sorted.map(([el, xs]) => `${el} ms → ${fmt(mean(xs)!)} s`);
    const means = sorted.map(([, xs]) => mean(xs)!);
    const rel = measured.filter((c) => c.metrics!.electionS !== null).map((c) => c.metrics!.electionS! / (c.electionMs / 1000));
    out.push(
      `Time to a new leader after a kill, by election timeout (mean over cells): ${parts.join(', ')}; that is ${fmt(Math.min(...rel), 2)}–${fmt(Math.max(...rel), 2)}× the cell's election timeout. ` +
        (means.length < 2
          ? 'One election timeout only: the grid cannot say how failover time depends on it.'
          : means.every((x, i) => i === 0 || x >= means[i - 1]!)
            ? 'Failover time grew with the timeout, so a wider ratio bought with a longer timeout is paid for in failover time.'
            : 'Failover time did not grow steadily with the timeout in these runs (repeat with --repeat to separate noise from effect).'),
    );
  }
  return out;
}
