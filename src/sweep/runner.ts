// Runs a sweep: every cell × repetition × scenario through runTest in a stable order, resuming from sweep.json.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze } from '../run/analyze.js';
import { runTest } from '../run/runner.js';
import { loadSpecFile, specPath, type TestSpec } from '../spec/spec.js';
import { SettingsRefused } from '../system/index.js';
import { FaultlineError, usageError } from '../util/errors.js';
import { readFacts } from './facts.js';
import { combineRepetitions, combineVerdicts, measureRepetition } from './measure.js';
import { writeSweepPage } from './page.js';
import { reclaimAbandoned } from './reclaim.js';
import { scenarios, type Scenario } from './scenarios.js';
import { loadSweep, newSweep, RUNS_DIR, sameIdentity, saveSweep, type CellRecord, type SweepFile, type SweepIdentity } from './state.js';

export interface SweepOptions {
  dir: string;
  name: string;
  identity: SweepIdentity;
  /** Preset or spec path the runs start from (workload, concurrency, timeouts); default register. */
  spec?: string;
  seed: number;
  binPath?: string;
  command: string[];
  /** Sweep progress lines. */
  log: (line: string) => void;
  /** Where each run's own progress goes. */
  runProgress: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

export interface SweepOutcome {
  sweep: SweepFile;
  page: string;
  /** Runs executed by this invocation (finished ones; resumed cells only). */
  ran: number;
  interrupted: boolean;
}

/**
 * A store's own reason when it refused its flags at start-up, from the nodes' logs of a run: etcd logs "failed to
 * verify flags" (the rules System.checkSettings knows are refused before a run even begins).
 */
export function refusalReason(runDir: string): string | undefined {
  const nodes = join(runDir, 'nodes');
  if (!existsSync(nodes)) return undefined;
  for (const n of readdirSync(nodes).sort()) {
    for (const f of readdirSync(join(nodes, n)).filter((x) => x.endsWith('.log')).sort()) {
      for (const line of readFileSync(join(nodes, n, f), 'utf8').split('\n')) {
        if (!line.includes('failed to verify flags')) continue;
        try {
          const j = JSON.parse(line) as { error?: string; msg?: string };
          return j.error ?? j.msg;
        } catch {
          return line.trim();
        }
      }
    }
  }
  return undefined;
}

function specFor(base: TestSpec, cell: CellRecord, sc: Scenario, o: SweepOptions, rep: number): TestSpec {
  const spec: TestSpec = structuredClone(base);
  delete spec.source;
  spec.name = `${cell.id}-${sc.name}`;
  spec.nodes = 3;
  if (o.identity.lab) spec.lab = o.identity.lab;
  spec.timeLimitS = sc.timeLimitS;
  spec.warmupS = sc.warmupS;
  spec.recoveryS = sc.recoveryS;
  spec.nemesis = sc.nemesis;
  // Not checked here on purpose: the system's own rules (System.checkSettings) or the store itself decide, and a
  // refusal is a finding.
  spec.raft = { ...spec.raft, heartbeatMs: cell.heartbeatMs, electionMs: cell.electionMs, preVote: cell.preVote };
  spec.seed = o.seed + rep - 1;
  if (o.identity.system) spec.system = o.identity.system;
  if (o.identity.systemOptions) spec.systemOptions = { ...spec.systemOptions, ...o.identity.systemOptions };
  return spec;
}

/** The run directory runTest created for a test name (its `latest` link), if any. */
function latestRun(runsRoot: string, testName: string): string | undefined {
  try {
    return realpathSync(join(runsRoot, testName, 'latest'));
  } catch {
    return undefined;
  }
}

function finishCell(dir: string, cell: CellRecord, scs: readonly Scenario[], repeat: number): void {
  const reps = [];
  for (let rep = 1; rep <= repeat; rep++) {
    const facts = cell.runs.filter((r) => r.rep === rep).map((r) => readFacts(join(dir, r.dir), scs.find((s) => s.name === r.scenario)!));
    reps.push(measureRepetition(facts));
  }
  cell.reps = reps;
  cell.metrics = combineRepetitions(reps);
  cell.valid = combineVerdicts(cell.runs.map((r) => r.valid));
  cell.status = 'done';
  delete cell.reason;
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  let sweep = loadSweep(o.dir);
  if (sweep && !sameIdentity(sweep.identity, o.identity)) {
    throw usageError(`${o.dir} holds a different sweep (${JSON.stringify(sweep.identity.grid)}, repeat ${sweep.identity.repeat}); choose another --out directory or delete that one`);
  }
  if (!sweep) sweep = newSweep(o.name, o.identity, o.seed);
  sweep.commands.push(o.command);
  const seedOpts = { ...o, seed: sweep.seed };
  const reclaimed = await reclaimAbandoned(o.dir, sweep);
  if (reclaimed.moved.length) o.log(`resuming: ${reclaimed.moved.length} unfinished run(s) moved to abandoned/ (${reclaimed.moved.join(', ')})`);
  for (const e of reclaimed.errors) o.log(`note: cleanup of an abandoned run: ${e} (run \`faultline lab sweep\`)`);
  saveSweep(o.dir, sweep);

  const base = loadSpecFile(specPath(o.spec ?? 'register'));
  const scs = scenarios({ timeLimitS: o.identity.timeLimitS, quick: o.identity.quick, extra: o.identity.nemesis });
  const runsRoot = join(o.dir, RUNS_DIR);
  let ran = 0;
  let interrupted = false;
  const total = sweep.cells.length;

  outer: for (const [ci, cell] of sweep.cells.entries()) {
    if (cell.status === 'done' || cell.status === 'refused') {
      o.log(`cell ${ci + 1}/${total} ${cell.id}: ${cell.status} already, skipped`);
      continue;
    }
    // A failed cell is retried from its last finished run; its failed run was moved to abandoned/.
    cell.status = 'pending';
    delete cell.reason;
    delete cell.evidenceDir;
    for (let rep = 1; rep <= o.identity.repeat && cell.status === 'pending'; rep++) {
      for (const sc of scs) {
        if (cell.runs.some((r) => r.rep === rep && r.scenario === sc.name)) continue;
        if (o.signal?.aborted) {
          interrupted = true;
          break outer;
        }
        o.log(`cell ${ci + 1}/${total} ${cell.id} rep ${rep}/${o.identity.repeat} ${sc.name}: running (${sc.timeLimitS} s of load)`);
        const spec = specFor(base, cell, sc, seedOpts, rep);
        try {
          const summary = await runTest({ spec, resultsDir: runsRoot, command: o.command, progress: o.runProgress, ...(o.signal ? { signal: o.signal } : {}), ...(o.binPath ? { binPath: o.binPath } : {}) });
          if (summary.interrupted) {
            interrupted = true;
            break outer;
          }
          const a = await analyze(summary.runDir);
          cell.runs.push({ rep, scenario: sc.name, dir: relative(o.dir, summary.runDir), valid: a.valid });
          ran++;
          o.log(`cell ${ci + 1}/${total} ${cell.id} rep ${rep} ${sc.name}: ${a.valid === true ? 'valid' : a.valid === false ? 'INVALID' : 'unknown'}`);
        } catch (e) {
          if (e instanceof SettingsRefused) {
            cell.status = 'refused';
            cell.reason = e.problems.join('; ');
            o.log(`cell ${ci + 1}/${total} ${cell.id}: refused by ${e.system}: ${cell.reason}`);
            break;
          }
          if (!(e instanceof FaultlineError) || e.code === 3) throw e;
          // No new run directory: the run never began (etcd missing, no root, fault unavailable here). That is
          // true of every cell, so the sweep stops with runTest's own message.
          const latest = latestRun(runsRoot, spec.name);
          const runDir = latest && !cell.runs.some((r) => join(o.dir, r.dir) === latest) ? latest : undefined;
          if (!runDir) throw e;
          const why = refusalReason(runDir);
          cell.status = why ? 'refused' : 'failed';
          cell.reason = why ?? e.message.split('\n')[0]!;
          cell.evidenceDir = relative(o.dir, runDir);
          o.log(`cell ${ci + 1}/${total} ${cell.id}: ${why ? `refused by the store: ${why}` : `failed: ${cell.reason} (retried on the next run of this sweep)`}`);
          break;
        }
        saveSweep(o.dir, sweep);
      }
    }
    if (cell.status === 'pending') finishCell(o.dir, cell, scs, o.identity.repeat);
    saveSweep(o.dir, sweep);
    writeSweepPage(o.dir, sweep);
  }
  saveSweep(o.dir, sweep);
  const page = writeSweepPage(o.dir, sweep);
  return { sweep, page, ran, interrupted };
}
