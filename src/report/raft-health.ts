// Raft health from node logs and /metrics samples: elections, terms, fsync/commit p99, proposals, follower lag.
import type { ElectionEvent, MetricsSample } from '../system/system.js';
import { overlapsStall, type Stall } from './windows.js';

const NS = 1e9;

export interface Election {
  term: number;
  leader: string;
  /** First pre-candidate/candidate event after the previous leader, seconds since the test began. */
  startS: number;
  leaderS: number;
  durationS: number;
  suspect: boolean;
}

export interface LagPoint {
  t: number;
  node: string;
  /** Raft entries this node has applied behind the highest commit index seen in the same second. */
  lag: number;
}

export interface RaftHealth {
  logsAvailable: boolean;
  metricsAvailable: boolean;
  /** Why there are no metrics when the system has none at all (System.metricsNote), shown instead of empty charts. */
  metricsNote?: string;
  /** Leaders elected during the test (a leader already in place at time zero is not a change). */
  leaderChanges: number;
  leaderChangesPerMin: number;
  termStart: number | null;
  termEnd: number | null;
  termGrowth: number;
  termGrowthPerMin: number;
  elections: Election[];
  /** Per node, ms; null without histogram samples. From bucket deltas over the run, interpolated in the bucket. */
  walFsyncP99Ms: Record<string, number | null>;
  backendCommitP99Ms: Record<string, number | null>;
  proposalsFailed: Record<string, number>;
  proposalsPendingMax: Record<string, number>;
  followerLagMax: Record<string, number>;
  lag: LagPoint[];
}

export interface Alert {
  id: 'leader-changes' | 'wal-fsync' | 'backend-commit' | 'follower-lag' | 'term-growth';
  message: string;
  value: number;
  threshold: number;
  node?: string;
}

export const THRESHOLDS = {
  leaderChangesPerMin: 1,
  walFsyncP99Ms: 50,
  backendCommitP99Ms: 100,
  followerLag: 1000,
  termGrowthPerMin: 2,
} as const;

export function elections(events: readonly ElectionEvent[], st: readonly Stall[]): Election[] {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const out: Election[] = [];
  const seenTerms = new Set<number>();
  let campaignStart: number | undefined;
  for (const e of sorted) {
    if (e.event === 'pre-candidate' || e.event === 'candidate') {
      campaignStart ??= e.time;
    } else if (e.event === 'leader' && !seenTerms.has(e.term)) {
      seenTerms.add(e.term);
      const start = campaignStart ?? e.time;
      out.push({
        term: e.term,
        leader: e.node,
        startS: start / NS,
        leaderS: e.time / NS,
        durationS: Math.round((e.time - start) / 1e3) / 1e6,
        suspect: overlapsStall(start / NS, e.time / NS, st),
      });
      campaignStart = undefined;
    }
  }
  return out;
}

/** A counter or gauge by its Prometheus name, with or without the etcd_server_ prefix. */
function metric(values: Record<string, number>, name: string): number | undefined {
  if (values[name] !== undefined) return values[name];
  if (values[`etcd_server_${name}`] !== undefined) return values[`etcd_server_${name}`];
  for (const [k, v] of Object.entries(values)) if (k.endsWith(name)) return v;
  return undefined;
}

/** Cumulative histogram buckets (upper bound in seconds → count) of one etcd duration histogram. */
function buckets(values: Record<string, number>, name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [k, v] of Object.entries(values)) {
    if (!k.includes(name)) continue;
    const m = /le="?([^"}]+)"?/.exec(k);
    if (!m) continue;
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    if (!Number.isNaN(le)) out.set(le, v);
  }
  return out;
}

/** Prometheus histogram_quantile over summed bucket deltas: linear inside the bucket holding the rank. */
export function histogramQuantile(q: number, cumulative: Map<number, number>): number | null {
  const les = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Infinity) ?? (les.length ? cumulative.get(les[les.length - 1]!)! : 0);
  if (!total) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const le of les) {
    const c = cumulative.get(le)!;
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1e-12, c - prevCount);
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}

/** Sums per-interval bucket deltas; a drop in a counter means the node restarted, so the new value is the delta. */
function bucketDeltas(samples: readonly MetricsSample[], name: string): Map<number, number> {
  const sum = new Map<number, number>();
  let prev: Map<number, number> | undefined;
  for (const s of samples) {
    const cur = buckets(s.values, name);
    if (cur.size === 0) continue;
    if (prev) {
      const reset = [...cur].some(([le, v]) => v < (prev!.get(le) ?? 0));
      for (const [le, v] of cur) sum.set(le, (sum.get(le) ?? 0) + (reset ? v : v - (prev.get(le) ?? 0)));
    }
    prev = cur;
  }
  return sum;
}

function counterDelta(samples: readonly MetricsSample[], name: string): number {
  let total = 0;
  let prev: number | undefined;
  for (const s of samples) {
    const v = metric(s.values, name);
    if (v === undefined) continue;
    if (prev !== undefined) total += v >= prev ? v - prev : v;
    prev = v;
  }
  return total;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * p99 (ms) of one node's WAL fsyncs between its first and last metrics sample in [from, to] (ns, history time):
 * a fault's own figure, where the run's p99 also counts every fsync before and after it.
 */
export function walFsyncP99MsIn(samples: readonly MetricsSample[], node: string, from: number, to: number): number | null {
  const list = samples.filter((s) => s.node === node && s.time >= from && s.time <= to).sort((a, b) => a.time - b.time);
  const f = histogramQuantile(0.99, bucketDeltas(list, 'wal_fsync_duration_seconds'));
  return f === null ? null : round3(f * 1000);
}

export function raftHealth(
  events: readonly ElectionEvent[],
  samples: readonly MetricsSample[],
  durationS: number,
  st: readonly Stall[],
  logsAvailable: boolean,
): RaftHealth {
  const el = elections(events, st);
  const before = el.filter((e) => e.leaderS < 0);
  const during = el.filter((e) => e.leaderS >= 0);
  const leaderChanges = Math.max(0, during.length - (before.length === 0 ? 1 : 0));
  // Terms count from the leader in place at time zero, or from the first leader when the cluster was still
  // forming: the follower-at-term-0/1 lines of a fresh cluster are setup, not growth.
  const terms = events.map((e) => e.term);
  const base = before.length ? before[before.length - 1]! : el[0];
  const termStart = base ? base.term : terms.length ? Math.min(...terms) : null;
  const termEnd = terms.length ? Math.max(...terms) : null;
  const termGrowth = termStart !== null && termEnd !== null ? termEnd - termStart : 0;
  const minutes = Math.max(durationS, 1) / 60;

  const byNode = new Map<string, MetricsSample[]>();
  for (const s of [...samples].sort((a, b) => a.time - b.time)) {
    let list = byNode.get(s.node);
    if (!list) byNode.set(s.node, (list = []));
    list.push(s);
  }
  const walFsyncP99Ms: Record<string, number | null> = {};
  const backendCommitP99Ms: Record<string, number | null> = {};
  const proposalsFailed: Record<string, number> = {};
  const proposalsPendingMax: Record<string, number> = {};
  for (const [node, list] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
    const f = histogramQuantile(0.99, bucketDeltas(list, 'wal_fsync_duration_seconds'));
    const c = histogramQuantile(0.99, bucketDeltas(list, 'backend_commit_duration_seconds'));
    walFsyncP99Ms[node] = f === null ? null : round3(f * 1000);
    backendCommitP99Ms[node] = c === null ? null : round3(c * 1000);
    proposalsFailed[node] = counterDelta(list, 'proposals_failed_total');
    proposalsPendingMax[node] = Math.max(0, ...list.map((s) => metric(s.values, 'proposals_pending') ?? 0));
  }

  // Follower lag: samples of all nodes taken in the same second are compared with the highest commit index.
  const seconds = new Map<number, MetricsSample[]>();
  for (const s of samples) {
    const b = Math.floor(s.time / NS);
    let list = seconds.get(b);
    if (!list) seconds.set(b, (list = []));
    list.push(s);
  }
  const lag: LagPoint[] = [];
  const followerLagMax: Record<string, number> = {};
  for (const [b, list] of [...seconds].sort(([x], [y]) => x - y)) {
    const committed = Math.max(...list.map((s) => metric(s.values, 'proposals_committed_total') ?? -Infinity));
    if (!Number.isFinite(committed)) continue;
    for (const s of list) {
      const applied = metric(s.values, 'proposals_applied_total');
      if (applied === undefined) continue;
      const l = Math.max(0, committed - applied);
      lag.push({ t: b, node: s.node, lag: l });
      followerLagMax[s.node] = Math.max(followerLagMax[s.node] ?? 0, l);
    }
  }
  return {
    logsAvailable,
    metricsAvailable: samples.length > 0,
    leaderChanges,
    leaderChangesPerMin: round3(leaderChanges / minutes),
    termStart,
    termEnd,
    termGrowth,
    termGrowthPerMin: round3(termGrowth / minutes),
    elections: el,
    walFsyncP99Ms,
    backendCommitP99Ms,
    proposalsFailed,
    proposalsPendingMax,
    followerLagMax,
    lag,
  };
}

export function alerts(h: RaftHealth): Alert[] {
  const out: Alert[] = [];
  const T = THRESHOLDS;
  if (h.leaderChangesPerMin > T.leaderChangesPerMin) {
    out.push({ id: 'leader-changes', message: `${h.leaderChanges} leader changes (${h.leaderChangesPerMin}/min > ${T.leaderChangesPerMin}/min)`, value: h.leaderChangesPerMin, threshold: T.leaderChangesPerMin });
  }
  if (h.termGrowthPerMin > T.termGrowthPerMin) {
    out.push({ id: 'term-growth', message: `term grew by ${h.termGrowth} (${h.termGrowthPerMin}/min > ${T.termGrowthPerMin}/min)`, value: h.termGrowthPerMin, threshold: T.termGrowthPerMin });
  }
  for (const [node, v] of Object.entries(h.walFsyncP99Ms)) {
    if (v !== null && v > T.walFsyncP99Ms) out.push({ id: 'wal-fsync', node, message: `${node}: WAL fsync p99 ${v} ms > ${T.walFsyncP99Ms} ms`, value: v, threshold: T.walFsyncP99Ms });
  }
  for (const [node, v] of Object.entries(h.backendCommitP99Ms)) {
    if (v !== null && v > T.backendCommitP99Ms) out.push({ id: 'backend-commit', node, message: `${node}: backend commit p99 ${v} ms > ${T.backendCommitP99Ms} ms`, value: v, threshold: T.backendCommitP99Ms });
  }
  for (const [node, v] of Object.entries(h.followerLagMax)) {
    if (v > T.followerLag) out.push({ id: 'follower-lag', node, message: `${node}: ${v} entries behind the leader > ${T.followerLag}`, value: v, threshold: T.followerLag });
  }
  return out;
}
