// test.json: the record of what ran (the resolved spec, seed, settings, versions), written before the first operation.
import type { Json } from '../history/op.js';
import type { LabKind } from '../lab/lab.js';
import type { RaftSettings } from '../system/system.js';

/** test.json (results/layout.ts RUN_FILES.test): written before the first operation. */
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
  lab: LabKind;
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
