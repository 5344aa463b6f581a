// The results directory contract between `run` and the systems (writers) and `analyze`/`report` (readers): paths and events.
import { join } from 'node:path';

/**
 * results/<test-name>/<YYYYMMDDTHHMMSS>-<runid>/ holds one run; results/<test-name>/latest links the newest.
 * Every file is written as the run goes so a killed harness leaves a readable prefix.
 */
export const RUN_FILES = {
  test: 'test.json',
  history: 'history.jsonl',
  events: 'events.jsonl',
  results: 'results.json',
  report: 'report.html',
  junit: 'junit.xml',
  evidence: 'evidence.json',
  nodesDir: 'nodes',
} as const;

export const nodeDir = (runDir: string, node: string): string => join(runDir, RUN_FILES.nodesDir, node);
/** A node's log; each system names its file (System.logName: etcd.log, antietcd.log, ...). */
export const nodeLog = (runDir: string, node: string, logName: string): string => join(nodeDir(runDir, node), logName);
/** MetricsSample per line. */
export const nodeMetrics = (runDir: string, node: string): string => join(nodeDir(runDir, node), 'metrics.jsonl');

/**
 * events.jsonl: what happened to the harness and the cluster besides operations.
 * - phase: the generator entered a phase (warm-up, faults, heal, recovery, final-reads, done)
 * - stall: the harness's own event loop was blocked `ms` milliseconds ending at `time` (timings inside are suspect)
 * - leader: the harness observed `node` as leader (term when known)
 * - error: something the run survived (a node failed to restart, ...)
 * - coverage: after the nemesis setup, the faults the schedule could draw, those available here, and each skipped
 *   one with the reason (which ran is in the history)
 * - crash: a node exited on its own (nobody killed or stopped it): `exit` says how, `log` is its last lines
 */
export type RunEvent =
  | { time: number; type: 'phase'; phase: string }
  | { time: number; type: 'stall'; ms: number }
  | { time: number; type: 'leader'; node: string | null; term?: number }
  | { time: number; type: 'error'; message: string }
  | { time: number; type: 'crash'; node: string; exit: string; log: string[] }
  | { time: number; type: 'coverage'; of: string[]; available: string[]; skipped: { name: string; reason: string }[] };

/** 20261123T212552 (UTC), sortable and safe in paths: a run directory is `<runStamp>-<runId>`. */
export const runStamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
