// Runs one test end to end: lab up → cluster → load through the phases with faults → heal → final reads →
// teardown, recording history and events as it goes; cleans up on every path, including Ctrl-C.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OpGenerator } from '../generator/generator.js';
import { planPhases, type PhaseName } from '../generator/phases.js';
import { newSeed } from '../generator/random.js';
import { RateLimiter } from '../generator/rate.js';
import type { Json } from '../history/op.js';
import { JsonlWriter } from '../history/jsonl-writer.js';
import { HistoryWriter } from '../history/writer.js';
import { isRoot } from '../lab/exec.js';
import { createLab, defaultLabKind, defaultLabNote } from '../lab/factory.js';
import type { Lab, LabKind } from '../lab/lab.js';
import { newRunId, RunLedger, sweepDeadRuns } from '../lab/ledger.js';
import { Scope } from '../lab/scope.js';
import { sshConfigFor, type SshSource } from '../lab/ssh-hosts.js';
import { resolveSystem, settingsFor } from '../system/index.js';
import type { Cluster, RaftSettings, System } from '../system/system.js';
import { specSettings, type TestSpec } from '../spec/spec.js';
import { envError, FaultlineError, usageError } from '../util/errors.js';
import { createWorkload } from '../workload/index.js';
import type { FaultCoverage } from '../nemesis/coverage.js';
import { createFaults, type Faults } from './faults.js';
import { finalReads, type FinalReadResult } from './final-reads.js';
import { RUN_FILES, runStamp, type RunEvent } from '../results/layout.js';
import { FAULTLINE_VERSION } from '../util/version.js';
import type { TestRecord } from '../spec/record.js';
import { LeaderWatch } from './leader-watch.js';
import { Load } from './load.js';
import { ProgressPrinter } from './progress.js';
import { HistoryRecorder, type Counts } from './recorder.js';
import { StallWatcher } from './stall.js';
import { makeDirs } from '../util/dirs.js';

export interface RunOptions {
  spec: TestSpec;
  /** results/ root; the run goes to <resultsDir>/<name>/<stamp>-<runid>/. */
  resultsDir: string;
  /** The store's binary or its directory (--bin). */
  binPath?: string;
  /** argv as typed, recorded in test.json for reproduction. */
  command: string[];
  /** Where progress lines go (stderr under --json). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborting stops the run early: load stops, faults heal, everything is torn down, the history is kept. */
  signal?: AbortSignal;
}

export interface RunSummary {
  runDir: string;
  runId: string;
  seed: number;
  lab: LabKind;
  system: string;
  interrupted: boolean;
  counts: Counts;
  keys: number;
  finalReads: FinalReadResult[];
  stalls: { count: number; worstMs: number };
  /** Problems the run survived (also in events.jsonl). */
  errors: string[];
  /** Which faults could run, ran and were skipped (absent without a nemesis). */
  coverage?: FaultCoverage;
}

function linkLatest(testDir: string, runName: string): void {
  const link = join(testDir, 'latest');
  rmSync(link, { force: true });
  try {
    symlinkSync(runName, link);
  } catch {
    // A filesystem without symlinks: the run is still there, only the shortcut is missing.
  }
}

interface Preflight {
  version: string;
  lab: LabKind;
  system: System;
  settings: RaftSettings;
}

/** Checks that cost nothing and create nothing, so bad environments fail before any resource exists. */
async function preflight(spec: TestSpec, binPath: string | undefined, say: (line: string) => void): Promise<Preflight> {
  const lab = spec.lab ?? defaultLabKind();
  if (lab === 'netns' && !isRoot()) throw envError('the netns lab needs root: run as root (sudo) or use --lab host');
  const labNote = spec.lab === undefined ? defaultLabNote() : undefined;
  if (labNote) say(`faultline: ${labNote}`);
  if (lab === 'ssh') sshConfigFor(sshSource(spec), spec.nodes);
  const { system, version, note } = await resolveSystem(spec.system, binPath);
  if (note) say(`faultline: ${note}`);
  return { version, lab, system, settings: settingsFor(system, specSettings(spec)) };
}

export async function runTest(o: RunOptions): Promise<RunSummary> {
  const { spec } = o;
  const { version, lab: labKind, system, settings } = await preflight(spec, o.binPath, (l) => o.progress.write(l + '\n'));
  const workload = createWorkload(spec.workload.name, { valueRange: spec.workload.valueRange });
  if (!workload) throw new FaultlineError(`unknown workload ${spec.workload.name}`, 3);
  const seed = spec.seed ?? newSeed();
  const runId = newRunId();
  await sweepDeadRuns();
  // Every step below pushes its undo; the run's end, an error or Ctrl-C unwinds them newest first. Until the
  // events file exists, a failed undo can only be thrown; after, it is recorded as something the run survived.
  let report = (what: string, e: Error): void => {
    throw new Error(`${what}: ${e.message}`);
  };
  const scope = new Scope((what, e) => report(what, e));
  const registry = RunLedger.create(runId, labKind);
  scope.defer('release registry', async () => {
    const left = await registry.release();
    if (left.length > 0) throw new Error(left.join('; '));
  });
  const lab: Lab = createLab(labKind, { runId, nodeCount: spec.nodes, registry, ports: system.ports, ...(labKind === 'ssh' ? { ssh: sshSource(spec) } : {}) });
  const nodes = Array.from({ length: spec.nodes }, (_, i) => `n${i + 1}`);
  // Faults are resolved against the lab before anything is created: an unavailable fault is a usage problem.
  let faults: Faults;
  try {
    faults = createFaults(spec.nemesis, lab, system, seed);
  } catch (e) {
    // The default run must work on a bare machine: when its partitions cannot be cut here (no iptables), it
    // runs the process faults instead and says so. A nemesis the user named is never swapped.
    if (spec.nemesis === 'default' && e instanceof FaultlineError && e.code === 4) {
      o.progress.write(`faultline: the default nemesis needs network faults, which this lab cannot do (${e.message.split(': ').slice(1).join(': ')}); running pause and kill instead\n`);
      faults = createFaults(['pause', 'kill'], lab, system, seed);
    } else {
      await scope.close();
      throw e;
    }
  }

  // Time zero: the monotonic clock of the history and the wall clock of test.json, read together.
  const t0 = process.hrtime.bigint();
  const started = new Date();
  const testDir = resolve(o.resultsDir, spec.name);
  const runName = `${runStamp(started)}-${runId}`;
  const runDir = join(testDir, runName);
  let history: HistoryWriter;
  let eventsFile: JsonlWriter<RunEvent>;
  let closed = false;
  try {
    makeDirs(runDir);
    linkLatest(testDir, runName);
    // The shared history writer: whole lines only, flushed every 100 ms (the contract says at least every 200).
    const h = await HistoryWriter.open(join(runDir, RUN_FILES.history), { flushMs: 100 });
    history = h;
    scope.defer('close history', () => h.close());
    const ev = await JsonlWriter.open<RunEvent>(join(runDir, RUN_FILES.events), { flushMs: 100 });
    eventsFile = ev;
    scope.defer('close events', () => {
      closed = true;
      return ev.close();
    });
  } catch (e) {
    await scope.close();
    if (e instanceof FaultlineError) throw usageError(`${e.message} (--results DIR)`);
    throw usageError(`cannot write results to ${runDir}: ${(e as Error).message.split('\n')[0]} (choose another --results DIR)`);
  }
  const recorder = new HistoryRecorder(history, t0);
  const errors: string[] = [];
  const event = (e: RunEvent): void => {
    if (!closed) eventsFile.append(e);
  };
  const survived = (message: string): void => {
    errors.push(message);
    event({ time: recorder.now(), type: 'error', message });
  };
  report = (what, e) => survived(`${what}: ${e.message.split('\n')[0]}`);

  const record: TestRecord = {
    name: spec.name,
    runId,
    seed,
    startedAt: started.toISOString(),
    t0EpochMs: started.getTime(),
    command: o.command,
    system: system.name,
    lab: labKind,
    nodes,
    settings,
    model: workload.model,
    initial: workload.initial,
    workload: workload.name,
    nemesis: faults.describe(),
    concurrency: spec.concurrency,
    ...(spec.rate !== undefined ? { rate: spec.rate } : {}),
    timeLimitS: spec.timeLimitS,
    serializableReads: spec.serializableReads,
    versions: { faultline: FAULTLINE_VERSION, node: process.version, system: version },
    spec: { ...spec, system: system.name, seed } as unknown as Json,
  };
  writeFileSync(join(runDir, RUN_FILES.test), JSON.stringify(record, null, 2) + '\n');

  // Ctrl-C / SIGTERM (wired by the CLI) abort the phases; the finally block below still heals and tears down.
  const abort = new AbortController();
  if (o.signal?.aborted) abort.abort();
  o.signal?.addEventListener('abort', () => abort.abort(), { once: true });

  const sleep = (s: number): Promise<void> =>
    new Promise((r) => {
      if (abort.signal.aborted) return r();
      const t = setTimeout(done1, s * 1000);
      function done1(): void {
        abort.signal.removeEventListener('abort', done1);
        clearTimeout(t);
        r();
      }
      abort.signal.addEventListener('abort', done1, { once: true });
    });

  let phase: PhaseName | 'setup' = 'setup';
  const phases = planPhases({ timeLimitS: spec.timeLimitS, warmupS: spec.warmupS, recoveryS: spec.recoveryS });
  const loadS = phases.reduce((s, p) => s + p.durationS, 0);
  let loadStartedNs = 0;
  const enter = (p: PhaseName): void => {
    phase = p;
    event({ time: recorder.now(), type: 'phase', phase: p });
  };

  let cluster: Cluster | undefined;
  const client = system.createClient({ timeoutMs: spec.timeoutMs, localReads: spec.serializableReads, connectionsPerNode: Math.ceil(spec.concurrency / spec.nodes) + 1 });
  const generator = new OpGenerator(workload, {
    seed,
    concurrency: spec.concurrency,
    nodes,
    ...(spec.workload.mix ? { mix: spec.workload.mix } : {}),
    ...(spec.workload.nodeMix ? { nodeMix: spec.workload.nodeMix } : {}),
    keys: { threadsPerKey: spec.workload.threadsPerKey ?? spec.nodes, opsPerKey: spec.workload.opsPerKey },
  });
  let load: Load | undefined;
  let leaders: LeaderWatch | undefined;
  const stall = new StallWatcher(() => recorder.now(), (s) => event({ time: s.time, type: 'stall', ms: s.ms }));
  const progress = new ProgressPrinter(o.progress, () => {
    const elapsedS = (recorder.now() - loadStartedNs) / 1e9;
    return {
      phase,
      elapsedS: loadStartedNs ? elapsedS : 0,
      remainingS: loadStartedNs ? Math.max(0, loadS - elapsedS) : loadS,
      counts: recorder.counts,
      faults: faults.active(),
      leader: leaders?.current,
    };
  });
  let reads: FinalReadResult[] = [];
  let stalls = { count: 0, worstMs: 0 };
  // The measured run ends after the load stopped and every fault healed: stalls while data dirs are deleted say
  // nothing about the store. Deferred twice (early, in case set-up fails; and at its place in the unwinding).
  let measuring = true;
  const endMeasurement = (): void => {
    if (!measuring) return;
    measuring = false;
    leaders?.stop();
    progress.stop();
    stalls = stall.stop();
    enter('done');
  };

  /** What each phase does, as data: the load runs underneath all of them until the final reads. */
  const PHASES: Record<PhaseName, (durationS: number) => Promise<void>> = {
    'warm-up': (d) => sleep(d),
    recovery: (d) => sleep(d),
    faults: async (d) => {
      faults.start(d, (e) => survived(`nemesis: ${e.message.split('\n')[0]}`));
      await sleep(d);
      await faults.stop();
    },
    heal: () => faults.healAll().catch((e: Error) => survived(`heal: ${e.message}`)),
    'final-reads': async () => {
      await load?.stop();
      reads = await finalReads(client, recorder, nodes, generator.keys.keys(), workload, (load?.maxProcess ?? -1) + 1);
      for (const r of reads) if (r.gaveUp) survived(`final reads on ${r.node} gave up after ${r.failed} failed reads`);
    },
    done: async () => undefined,
  };

  try {
    stall.start();
    progress.start();
    scope.defer('stop measuring', endMeasurement);
    scope.defer('lab down', () => lab.down());
    await lab.up();
    if (abort.signal.aborted) throw new Interrupted();
    const c = await system.createCluster({ lab, settings: record.settings, runDir, t0, ...(o.binPath ? { binPath: o.binPath } : {}) });
    cluster = c;
    scope.defer('cluster teardown', () => c.teardown());
    c.onCrash((crash) => {
      // Reported a moment after the exit (the log drains first); past the end of the run there is nowhere to write.
      if (closed) return;
      event({ time: recorder.now(), type: 'crash', node: crash.node, exit: crash.exit, log: crash.logTail });
      const said = [...crash.logTail].reverse().find((l) => /error|panic|fatal|exception|bug/i.test(l));
      survived(`${system.name} node ${crash.node} crashed (${crash.exit})${said ? `: ${said.trim().slice(0, 160)}` : ''}`);
    });
    try {
      await c.start();
    } catch (e) {
      throw envError(`${system.name} cluster did not start: ${(e as Error).message.split('\n')[0]} (node logs: ${join(runDir, RUN_FILES.nodesDir)})`);
    }
    if (c.metrics) {
      const m = c.metrics;
      m.startMetrics(1000);
      scope.defer('stop metrics', () => m.stopMetrics());
    }
    scope.defer('close client', () => client.close());
    for (const n of nodes) await client.open(n, c.clientUrl(n));
    scope.defer('stop measuring', endMeasurement);
    scope.defer('nemesis teardown', () => faults.teardown());
    scope.defer('heal', () => faults.healAll());
    scope.defer('stop faults', () => faults.stop());
    await faults.setup({ lab, cluster: c, runDir, recorder });
    const plan = faults.coverage();
    if (plan) event({ time: recorder.now(), type: 'coverage', of: plan.of, available: plan.available, skipped: plan.skipped });
    leaders = new LeaderWatch(c, (l) => event({ time: recorder.now(), type: 'leader', node: l }));
    leaders.start();

    loadStartedNs = recorder.now();
    const l = new Load({
      concurrency: spec.concurrency,
      generator,
      client,
      recorder,
      ...(spec.rate !== undefined ? { rate: new RateLimiter(spec.rate, loadStartedNs) } : {}),
      onError: (e) => {
        survived(`load stopped by an internal error: ${e.message.split('\n')[0]}`);
        abort.abort();
      },
    });
    load = l;
    scope.defer('stop load', () => l.stop());
    l.start();
    for (const p of phases) {
      if (abort.signal.aborted) break;
      enter(p.name);
      await PHASES[p.name](p.durationS);
    }
  } catch (e) {
    if (!(e instanceof Interrupted)) {
      survived(`run aborted: ${(e as Error).message.split('\n')[0]}`);
      throw e;
    }
  } finally {
    // Load, faults, client, metrics, cluster, lab, files, registry: in reverse of how they were set up.
    await scope.close();
  }
  return {
    runDir,
    runId,
    seed,
    lab: labKind,
    system: system.name,
    interrupted: abort.signal.aborted,
    counts: { ...recorder.counts },
    keys: generator.keys.keys().length,
    finalReads: reads,
    ...(faults.coverage() ? { coverage: faults.coverage()! } : {}),
    stalls,
    errors,
  };
}

class Interrupted extends Error {}

const sshSource = (spec: TestSpec): SshSource => ({ ...(spec.hosts ? { hosts: spec.hosts } : {}), ...(spec.hostsFile ? { hostsFile: spec.hostsFile } : {}) });
