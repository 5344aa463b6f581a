// Finds the runs a BASE or CAND argument names (run, directory of runs, glob) and reads each into samples.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pairCalls } from '../report/calls.js';
import type { ResultsFile } from '../report/results.js';
import { readHistoryFile, readJsonLines } from '../history/reader.js';
import { RUN_FILES, type RunEvent } from '../results/layout.js';
import type { TestRecord } from '../spec/record.js';
import { usageError } from '../util/errors.js';

/** Operations that commit through the log: their ok latency is commit latency. */
export const COMMIT_FS: ReadonlySet<string> = new Set(['write', 'put', 'append', 'cas']);

/** What one run contributes to a comparison. */
export interface RunSamples {
  dir: string;
  /** Test name (test.json), for warning about comparing unlike runs. */
  name: string;
  workload: string | null;
  /** ms from invoke (or `intended`, when the run was rate-limited) to ok, one per ok commit op of the load. */
  commitMs: Float64Array;
  /** Second of the load (0-based) each commit op was invoked in: the bootstrap's blocks. */
  commitSecond: Int32Array;
  /** ok client completions in each whole second of the load phase. */
  okPerSecond: Float64Array;
  /** Seconds of the load phase (warm-up through recovery). */
  loadS: number;
  /** results.json availability.totalS: seconds inside unavailability windows. */
  unavailableS: number;
  basis: 'intended' | 'invoke';
}

const isRunDir = (d: string): boolean => existsSync(join(d, RUN_FILES.history)) || existsSync(join(d, RUN_FILES.test));

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Run directories at or below `dir` (two levels: results/<test>/<run>), skipping the `latest` links. */
function runsUnder(dir: string, depth: number): string[] {
  if (isRunDir(dir)) return [dir];
  if (depth === 0) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isDirectory() || e.name === 'latest') continue;
    out.push(...runsUnder(join(dir, e.name), depth - 1));
  }
  return out;
}

const hasGlob = (s: string): boolean => /[*?[]/.test(s);

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += '[' + seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands `*`, `?` and `[...]` segment by segment (Node 20 has no fs.glob); hidden entries need a leading dot. */
function expandGlob(pattern: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  const parts = abs.split(sep).filter(Boolean);
  let paths: string[] = [sep];
  for (const part of parts) {
    const next: string[] = [];
    for (const p of paths) {
      if (!hasGlob(part)) {
        if (existsSync(join(p, part))) next.push(join(p, part));
        continue;
      }
      if (!isDir(p)) continue;
      const re = segmentRegex(part);
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(name)) next.push(join(p, name));
      }
    }
    paths = next;
  }
  return paths;
}

/**
 * The run directories one argument names: a run; a directory holding runs (results/<test>/ or results/);
 * or a glob (quote it so the shell leaves it to us) matching either. Errors name the argument and the fix.
 */
export function findRuns(arg: string, role: string): string[] {
  const roots = hasGlob(arg) ? expandGlob(arg) : [resolve(arg)];
  if (!hasGlob(arg) && !existsSync(roots[0]!)) {
    throw usageError(`faultline compare: ${role} ${arg} does not exist; pass a run directory, a directory of runs or a quoted glob`);
  }
  const runs = [...new Set(roots.filter(isDir).flatMap((d) => runsUnder(d, 2)))];
  if (runs.length === 0) {
    throw usageError(`faultline compare: no runs found for ${role} ${arg}; pass results/<test>/<run>, results/<test>/ or a quoted glob of run directories`);
  }
  return runs;
}

function readJson<T>(path: string, fix: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not readable JSON';
    throw usageError(`faultline compare: ${path} is ${why}; ${fix}`);
  }
}

/** Start and end (ns) of the load phase: warm-up to final reads, from events.jsonl when present. */
function loadWindow(events: RunEvent[], calls: { invoke: number; complete?: number }[]): [number, number] {
  const phase = (name: string): number | undefined => events.find((e) => e.type === 'phase' && e.phase === name)?.time;
  let firstInvoke = calls.length ? Infinity : 0;
  let lastComplete = 0;
  for (const c of calls) {
    if (c.invoke < firstInvoke) firstInvoke = c.invoke;
    if (c.complete !== undefined && c.complete > lastComplete) lastComplete = c.complete;
  }
  const warm = phase('warm-up');
  const start = warm === undefined ? firstInvoke : Math.min(warm, firstInvoke);
  const end = phase('final-reads') ?? phase('done') ?? lastComplete;
  return [start, Math.max(start, end)];
}

/** Reads one run directory into samples. A missing or unreadable file is bad input naming the path. */
export function loadRunSamples(dir: string): RunSamples {
  const test = existsSync(join(dir, RUN_FILES.test))
    ? readJson<TestRecord>(join(dir, RUN_FILES.test), 'restore it from the run or leave the run out')
    : undefined;
  const results = readJson<ResultsFile>(join(dir, RUN_FILES.results), `run "faultline analyze ${dir}" first, or leave the run out`);
  const unavailableS = results.availability?.totalS;
  if (typeof unavailableS !== 'number') {
    throw usageError(`faultline compare: ${join(dir, RUN_FILES.results)} has no availability.totalS; re-analyse it with "faultline analyze ${dir}"`);
  }
  const historyPath = join(dir, RUN_FILES.history);
  if (!existsSync(historyPath)) throw usageError(`faultline compare: ${historyPath} is missing; a run without a history cannot be compared, leave it out`);
  const problems: string[] = [];
  const history = readHistoryFile(historyPath, problems);
  const eventsPath = join(dir, RUN_FILES.events);
  const events = existsSync(eventsPath) ? readJsonLines<RunEvent>(eventsPath, problems) : [];

  const calls = pairCalls(history);
  const [start, end] = loadWindow(events, calls);
  const commit: number[] = [];
  const second: number[] = [];
  let intended = false;
  const seconds = Math.max(1, Math.floor((end - start) / 1e9));
  const okPerSecond = new Float64Array(seconds);
  for (const c of calls) {
    if (c.outcome !== 'ok' || c.complete === undefined) continue;
    if (c.complete >= start && c.complete < end) {
      const s = Math.floor((c.complete - start) / 1e9);
      if (s < seconds) okPerSecond[s]!++;
    }
    if (!COMMIT_FS.has(c.f) || c.invoke < start || c.invoke >= end) continue;
    if (c.intended !== undefined) intended = true;
    commit.push((c.complete - (c.intended ?? c.invoke)) / 1e6);
    second.push(Math.min(seconds - 1, Math.floor((c.invoke - start) / 1e9)));
  }
  return {
    dir,
    name: test?.name ?? basename(dirname(dir)),
    workload: test?.workload ?? null,
    commitMs: Float64Array.from(commit),
    commitSecond: Int32Array.from(second),
    okPerSecond,
    loadS: (end - start) / 1e9,
    unavailableS,
    basis: intended ? 'intended' : 'invoke',
  };
}

/** Every run one argument names, loaded. */
export function loadSide(arg: string, role: string): RunSamples[] {
  return findRuns(arg, role).map(loadRunSamples);
}
