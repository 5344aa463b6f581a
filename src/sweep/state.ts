// sweep.json: the grid, the options and every finished run of a sweep, rewritten atomically after each run.
import { existsSync, readFileSync } from 'node:fs';
import { writeAtomic } from '../util/atomic.js';
import { join } from 'node:path';
import type { Verdict } from '../report/results.js';
import { usageError } from '../util/errors.js';
import { cells, type Grid } from './grid.js';
import type { CellMetrics } from './measure.js';
import { makeDirs } from '../util/dirs.js';

export const SWEEP_SCHEMA = 'faultline.sweep/1';
export const SWEEP_FILE = 'sweep.json';
export const SWEEP_PAGE = 'sweep.html';
/** Runs of a sweep live under <sweep>/runs/<cell>-<scenario>/<stamp>-<runid>/ (a results root of their own). */
export const RUNS_DIR = 'runs';
/** Run directories of runs that never finished (harness killed) are moved here on resume, not deleted. */
export const ABANDONED_DIR = 'abandoned';

/** Everything that changes what a sweep measures: the same identity resumes, another is a different sweep. */
export interface SweepIdentity {
  grid: Grid;
  repeat: number;
  timeLimitS: number;
  quick: boolean;
  nemesis: string[];
  /** null: netns as root, host otherwise (decided per run, as `faultline run` does). */
  lab: 'host' | 'netns' | null;
  /** The store and its own switches; absent: the default system (etcd when installed, else antietcd). */
  system?: string;
  systemOptions?: Record<string, boolean | number>;
}

export interface FinishedRun {
  rep: number;
  scenario: string;
  /** Run directory relative to the sweep directory. */
  dir: string;
  valid: Verdict;
}

export type CellStatus = 'pending' | 'done' | 'refused' | 'failed';

export interface CellRecord {
  id: string;
  heartbeatMs: number;
  electionMs: number;
  preVote: boolean;
  status: CellStatus;
  /** refused: etcd's own words; failed: why the run broke (retried on the next invocation). */
  reason?: string;
  /** Run directory (relative) holding the evidence of a refusal or failure. */
  evidenceDir?: string;
  runs: FinishedRun[];
  /** Set when done: per repetition, and the median over repetitions. */
  reps?: CellMetrics[];
  metrics?: CellMetrics;
  valid?: Verdict;
}

export interface SweepFile {
  schema: typeof SWEEP_SCHEMA;
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Workload seed of repetition 1 (repetition r uses seed + r - 1): every cell sees the same operations. */
  seed: number;
  identity: SweepIdentity;
  cells: CellRecord[];
  /** The command lines that worked on this sweep, in order (a resumed sweep has several). */
  commands: string[][];
}

export function newSweep(name: string, identity: SweepIdentity, seed: number): SweepFile {
  const now = new Date().toISOString();
  return {
    schema: SWEEP_SCHEMA,
    name,
    createdAt: now,
    updatedAt: now,
    seed,
    identity,
    cells: cells(identity.grid).map((c) => ({ ...c, status: 'pending', runs: [] })),
    commands: [],
  };
}

export function loadSweep(dir: string): SweepFile | undefined {
  const path = join(dir, SWEEP_FILE);
  if (!existsSync(path)) return undefined;
  let s: SweepFile;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as SweepFile;
  } catch {
    throw usageError(`${path}: not valid JSON; delete it (or the whole sweep directory) and run the sweep again`);
  }
  if (s.schema !== SWEEP_SCHEMA) throw usageError(`${path}: schema ${String(s.schema)} is not ${SWEEP_SCHEMA}; use a new --out directory`);
  return s;
}

/** Write + rename: a killed sweep leaves the previous sweep.json whole. */
export function saveSweep(dir: string, s: SweepFile): void {
  makeDirs(dir);
  s.updatedAt = new Date().toISOString();
  const path = join(dir, SWEEP_FILE);
  writeAtomic(path, JSON.stringify(s, null, 1) + '\n');
}

export function sameIdentity(a: SweepIdentity, b: SweepIdentity): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
