// Election events of every node of a run, from the nodes' logs as the run's system parses them, in time order.
import type { ElectionEvent, LogReader } from '../system/system.js';

export function electionsFromLogs(logs: Record<string, string>, t0EpochMs: number, reader: LogReader | undefined): ElectionEvent[] {
  if (!reader) return [];
  return Object.keys(logs)
    .sort()
    .flatMap((node) => reader.parseElections(logs[node]!, node, t0EpochMs))
    .sort((a, b) => a.time - b.time);
}
