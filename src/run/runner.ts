// Runs one test end to end: lab up → cluster → load through the phases with faults → heal → final reads →
// teardown, recording history and events as it goes; cleans up on every path, including Ctrl-C.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OpGenerator } from '../generator/generator.js';
import { planPhases, type PhaseName } from '../generator/phases.js';
import { newSeed } from '../generator/random.js';
import { RateLimiter } from '../generator/rate.js';
import type { Json } from '../history/op.js';
import { HistoryWriter } from '../history/writer.js';
import { isRoot } from '../lab/exec.js';
import { createLab, defaultLabKind } from '../lab/factory.js';
import type { Lab, LabKind } from '../lab/lab.js';
import { newRunId, RunRegistry, sweepDeadRuns } from '../lab/registry.js';
import { sshConfig, type SshSource } from '../lab/ssh-hosts.js';
import { resolveSystem, settingsFor } from '../system/index.js';
import type { Cluster, RaftSettings, System } from '../system/system.js';
import { specSettings, type TestSpec } from '../test/spec.js';
import { envError, FaultlineError, usageError } from '../util/errors.js';
import { createWorkload } from '../workload/index.js';
import type { FaultCoverage } from '../nemesis/coverage.js';
import { createFaults, type Faults } from './faults.js';
import { finalReads, type FinalReadResult } from './final-reads.js';
import { JsonlFile } from './jsonl-file.js';
import { RUN_FILES, runStamp, type RunEvent } from '../results/layout.js';
import { FAULTLINE_VERSION } from '../util/version.js';
import type { TestRecord } from '../test/record.js';
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
  if (lab === 'ssh') sshConfig(sshSource(spec));
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
  const registry = RunRegistry.create(runId, labKind);
  const lab: Lab = createLab(labKind, { runId, nodeCount: spec.nodes, registry, ports: system.ports, ...(labKind === 'ssh' ? { ssh: sshSource(spec) } : {}) });
  const nodes = Array.from({ length: spec.nodes }, (_, i) => `n${i + 1}`);
  // Faults are resolved against the lab before anything is created: an unavailable fault is a usage problem.
  let faults: Faults;
  try {
    faults = createFaults(spec.nemesis, lab, system, seed);
  } catch (e) {
    await registry.release();
    throw e;
  }

  // Time zero: the monotonic clock of the history and the wall clock of test.json, read together.
  const t0 = process.hrtime.bigint();
  const started = new Date();
  const testDir = resolve(o.resultsDir, spec.name);
  const runName = `${runStamp(started)}-${runId}`;
  const runDir = join(testDir, runName);
  let history: HistoryWriter;
  let eventsFile: JsonlFile;
  try {
    makeDirs(runDir);
    linkLatest(testDir, runName);
    // The shared history writer: whole lines only, flushed every 100 ms (the contract says at least every 200).
    history = await HistoryWriter.open(join(runDir, RUN_FILES.history), { flushMs: 100 });
    eventsFile = new JsonlFile(join(runDir, RUN_FILES.events));
  } catch (e) {
    await registry.release();
    if (e instanceof FaultlineError) throw usageError(`${e.message} (--results DIR)`);
    throw usageError(`cannot write results to ${runDir}: ${(e as Error).message.split('\n')[0]} (choose another --results DIR)`);
  }
  const recorder = new HistoryRecorder(history, t0);
  const errors: string[] = [];
  const event = (e: RunEvent): void => eventsFile.append(e);
  const survived = (message: string): void => {
    errors.push(message);
    event({ time: recorder.now(), type: 'error', message });
  };

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
  let closed = false;
  let stalls = { count: 0, worstMs: 0 };

  try {
    stall.start();
    progress.start();
    await lab.up();
    if (abort.signal.aborted) throw new Interrupted();
    cluster = await system.createCluster({ lab, settings: record.settings, runDir, t0, ...(o.binPath ? { binPath: o.binPath } : {}) });
    cluster.onCrash((c) => {
      // Reported a moment after the exit (the log drains first); past the end of the run there is nowhere to write.
      if (closed) return;
      event({ time: recorder.now(), type: 'crash', node: c.node, exit: c.exit, log: c.logTail });
      const said = [...c.logTail].reverse().find((l) => /error|panic|fatal|exception|bug/i.test(l));
      survived(`${system.name} node ${c.node} crashed (${c.exit})${said ? `: ${said.trim().slice(0, 160)}` : ''}`);
    });
    try {
      await cluster.start();
    } catch (e) {
      throw envError(`${system.name} cluster did not start: ${(e as Error).message.split('\n')[0]} (node logs: ${join(runDir, RUN_FILES.nodesDir)})`);
    }
    cluster.metrics?.startMetrics(1000);
    for (const n of nodes) await client.open(n, cluster.clientUrl(n));
    await faults.setup({ lab, cluster, runDir, recorder });
    const plan = faults.coverage();
    if (plan) event({ time: recorder.now(), type: 'coverage', of: plan.of, available: plan.available, skipped: plan.skipped });
    leaders = new LeaderWatch(cluster, (l) => event({ time: recorder.now(), type: 'leader', node: l }));
    leaders.start();

    loadStartedNs = recorder.now();
    load = new Load({
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
    load.start();
    for (const p of phases) {
      if (abort.signal.aborted) break;
      enter(p.name);
      switch (p.name) {
        case 'warm-up':
        case 'recovery':
          await sleep(p.durationS);
          break;
        case 'faults':
          faults.start(p.durationS, (e) => survived(`nemesis: ${e.message.split('\n')[0]}`));
          await sleep(p.durationS);
          await faults.stop();
          break;
        case 'heal':
          await faults.healAll().catch((e: Error) => survived(`heal: ${e.message}`));
          break;
        case 'final-reads':
          await load.stop();
          reads = await finalReads(client, recorder, nodes, generator.keys.keys(), workload.readF, load.maxProcess + 1);
          for (const r of reads) if (r.gaveUp) survived(`final reads on ${r.node} gave up after ${r.failed} failed reads`);
          break;
        default:
          break;
      }
    }
  } catch (e) {
    if (!(e instanceof Interrupted)) {
      survived(`run aborted: ${(e as Error).message.split('\n')[0]}`);
      throw e;
    }
  } finally {
    // Every step runs whatever failed before it; the order matters: stop load, heal, then tear down.
    const step = async (what: string, fn: () => Promise<unknown> | unknown): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        survived(`${what}: ${(e as Error).message.split('\n')[0]}`);
      }
    };
    await step('stop load', () => load?.stop());
    await step('stop faults', () => faults.stop());
    await step('heal', () => faults.healAll());
    await step('nemesis teardown', () => faults.teardown());
    leaders?.stop();
    progress.stop();
    // Stalls during teardown (deleting data dirs) say nothing about the measured run.
    stalls = stall.stop();
    enter('done');
    await step('close client', () => client.close());
    await step('stop metrics', () => cluster?.metrics?.stopMetrics());
    await step('cluster teardown', () => cluster?.teardown());
    await step('lab down', () => lab.down());
    await step('release registry', async () => {
      const left = await registry.release();
      if (left.length > 0) throw new Error(left.join('; '));
    });
    await step('close history', () => history.close());
    closed = true;
    eventsFile.close();
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
