// Reads one stored run directory (test.json, history, events, node logs and metrics) tolerating a killed harness.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../history/op.js';
import { readHistoryFile, readJsonLines } from '../history/reader.js';
import { nodeLog, nodeMetrics, RUN_FILES, type RunEvent } from '../results/layout.js';
import type { TestRecord } from '../spec/record.js';
import { findSystem } from '../system/index.js';
import type { MetricsSample, System } from '../system/system.js';
import { usageError } from '../util/errors.js';

export interface RunData {
  dir: string;
  /** Absent when the harness died before writing it. */
  test?: TestRecord;
  history: Op[];
  events: RunEvent[];
  /** Raw log text per node (the system's log file). */
  logs: Record<string, string>;
  /** The run's system (test.json; runs from before systems were named are etcd's); undefined when unknown here. */
  system?: System;
  metrics: MetricsSample[];
  /** What was missing or cut short, shown in the report so a partial run is never mistaken for a whole one. */
  problems: string[];
}

function nodeNames(dir: string, test: TestRecord | undefined): string[] {
  const fromDisk = existsSync(join(dir, RUN_FILES.nodesDir))
    ? readdirSync(join(dir, RUN_FILES.nodesDir)).filter((n) => statSync(join(dir, RUN_FILES.nodesDir, n)).isDirectory())
    : [];
  return [...new Set([...(test?.nodes ?? []), ...fromDisk])].sort();
}

export function loadRun(dir: string): RunData {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw usageError(`${dir}: not a run directory; pass results/<test-name>/<run> (see: faultline report --help)`);
  }
  const problems: string[] = [];
  let test: TestRecord | undefined;
  const testPath = join(dir, RUN_FILES.test);
  if (existsSync(testPath)) {
    try {
      test = JSON.parse(readFileSync(testPath, 'utf8')) as TestRecord;
    } catch {
      throw usageError(`${testPath}: not valid JSON; restore it from the run or delete the run directory`);
    }
  } else problems.push(`${RUN_FILES.test} is missing: settings and versions unknown`);
  const historyPath = join(dir, RUN_FILES.history);
  let history: Op[] = [];
  if (existsSync(historyPath)) history = readHistoryFile(historyPath, problems);
  else problems.push(`${RUN_FILES.history} is missing: no operations to analyse`);
  if (!test && !existsSync(historyPath)) {
    throw usageError(`${dir}: neither ${RUN_FILES.test} nor ${RUN_FILES.history} found; pass a run directory results/<test-name>/<run>`);
  }
  const eventsPath = join(dir, RUN_FILES.events);
  const events = existsSync(eventsPath) ? readJsonLines<RunEvent>(eventsPath, problems) : [];
  const logs: Record<string, string> = {};
  const metrics: MetricsSample[] = [];
  const systemName = test?.system ?? 'etcd';
  const system = findSystem(systemName);
  if (!system) problems.push(`system "${systemName}" is unknown to this faultline: node logs and metrics not read`);
  for (const node of system ? nodeNames(dir, test) : []) {
    const log = nodeLog(dir, node, system!.logName);
    if (existsSync(log)) logs[node] = readFileSync(log, 'utf8');
    else problems.push(`nodes/${node}/${system!.logName} is missing: no elections from ${node}`);
    const m = nodeMetrics(dir, node);
    if (existsSync(m)) metrics.push(...readJsonLines<MetricsSample>(m, problems));
    // A system without metrics says so once, in the Raft-health panel, not once per node here.
    else if (system!.capabilities.has('metrics')) problems.push(`nodes/${node}/metrics.jsonl is missing: no Raft metrics from ${node}`);
  }
  return { dir, test, history, events, logs, metrics, problems, ...(system ? { system } : {}) };
}
