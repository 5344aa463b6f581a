// Parses Prometheus text from etcd's /metrics and keeps only the series faultline reports on.
import type { MetricsSample } from './system.js';

/** Metric families kept (histograms keep their _bucket/_sum/_count series). */
export const KEPT_FAMILIES = [
  'etcd_server_leader_changes_seen_total',
  'etcd_server_has_leader',
  'etcd_server_is_leader',
  'etcd_server_proposals_failed_total',
  'etcd_server_proposals_pending',
  'etcd_server_proposals_committed_total',
  'etcd_server_proposals_applied_total',
  'etcd_disk_wal_fsync_duration_seconds',
  'etcd_disk_backend_commit_duration_seconds',
  'etcd_network_peer_round_trip_time_seconds',
  'etcd_mvcc_db_total_size_in_bytes',
] as const;

const KEPT = new Set<string>(KEPT_FAMILIES);

function family(name: string): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix) && KEPT.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  }
  return name;
}

/**
 * Series name → value, keys as in the exposition (`name{label="v",...}` with labels kept in their
 * order). Comment lines, unknown families and unparsable values are skipped; +Inf stays Infinity.
 */
export function parsePrometheus(text: string, keep: (family: string) => boolean = (f) => KEPT.has(f)): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // The value follows the last space outside the label set; an optional timestamp may follow it.
    const brace = line.lastIndexOf('}');
    const head = brace >= 0 ? line.slice(0, brace + 1) : line.slice(0, line.indexOf(' '));
    const rest = line.slice(head.length).trim().split(/\s+/);
    const nameEnd = head.indexOf('{');
    const name = nameEnd >= 0 ? head.slice(0, nameEnd) : head;
    if (!keep(family(name))) continue;
    const v = rest[0] === '+Inf' ? Infinity : rest[0] === '-Inf' ? -Infinity : Number(rest[0]);
    if (rest[0] === undefined || Number.isNaN(v)) continue;
    out[head] = v;
  }
  return out;
}

export function toSample(text: string, node: string, time: number): MetricsSample {
  return { time, node, values: parsePrometheus(text) };
}
