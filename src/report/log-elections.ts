// Election events of every node of a run, from the nodes' etcd logs, merged in time order.
import { mergeTimelines, parseEtcdLog } from '../system/etcd-log.js';
import type { ElectionEvent } from '../system/system.js';

export function electionsFromLogs(logs: Record<string, string>, t0EpochMs: number): ElectionEvent[] {
  return mergeTimelines(Object.keys(logs).sort().map((node) => parseEtcdLog(logs[node]!, node, t0EpochMs)));
}
