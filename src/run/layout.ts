// The results directory contract between `run` (writer) and `analyze`/`report` (readers): paths and shapes.
import { join } from 'node:path';
import type { Json } from '../history/op.js';
import type { RaftSettings } from '../system/system.js';

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

/** test.json: written before the first operation. */
export interface TestRecord {
  /** Test name = the spec's name (results/<name>/...). */
  name: string;
  runId: string;
  seed: number;
  /** ISO time and epoch ms of the history's time zero (history `time` is ns since this instant). */
  startedAt: string;
  t0EpochMs: number;
  /** The exact command line, so the report can show how to reproduce. */
  command: string[];
  system: string;
  lab: import('../lab/lab.js').LabKind;
  nodes: string[];
  settings: RaftSettings;
  /** Checker model of the workload: register | cas-register | kv. */
  model: string;
  /** Initial value of the model's registers (null = absent key). */
  initial?: Json;
  workload: string;
  /** Nemesis names and the schedule used. */
  nemesis: Json;
  concurrency: number;
  rate?: number;
  timeLimitS: number;
  serializableReads: boolean;
  versions: { faultline: string; node: string; system: string };
  /** The whole resolved spec, for anything not above. */
  spec: Json;
}

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
