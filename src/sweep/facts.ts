// Reads one analysed run directory into the plain RunFacts the cell measurement works on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../results/layout.js';
import { isWrite, pairCalls } from '../report/calls.js';
import { loadRun } from '../report/load-run.js';
import { electionsFromLogs } from '../report/log-elections.js';
import type { ResultsFile } from '../report/results.js';
import type { RunFacts } from './measure.js';
import type { Scenario } from './scenarios.js';

const NS = 1e9;

export function readFacts(runDir: string, scenario: Scenario): RunFacts {
  const results = JSON.parse(readFileSync(join(runDir, RUN_FILES.results), 'utf8')) as ResultsFile;
  const run = loadRun(runDir);
  const okWrites = pairCalls(run.history)
    .filter((c) => c.outcome === 'ok' && c.complete !== undefined && isWrite(c.f))
    .map((c) => ({ invokeS: c.invoke / NS, completeS: c.complete! / NS }));
  const events = electionsFromLogs(run.logs, run.test?.t0EpochMs ?? 0, run.system).map((e) => ({ timeS: e.time / NS, node: e.node, term: e.term, event: e.event }));
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    valid: results.valid,
    windows: results.faults.map((f) => ({ fault: f.fault, startS: f.startS, endS: f.endS })),
    okWrites,
    events,
    leaderChanges: results.raft.leaderChanges,
    termGrowth: results.raft.termGrowth,
    longestUnavailableS: results.availability.longestS,
  };
}
