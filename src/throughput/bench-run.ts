// `faultline bench`: a commit-latency ladder against the leader and followers, stored as a run like any other.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Scope } from '../lab/scope.js';
import { createLab } from '../lab/factory.js';
import type { LabKind } from '../lab/lab.js';
import { newRunId, RunLedger, sweepDeadRuns } from '../lab/ledger.js';
import { writeAtomic } from '../util/atomic.js';
import { buildReportHtml } from '../report/html.js';
import { writeIndex } from '../report/index-page.js';
import { buildJunit } from '../report/junit.js';
import type { Percentiles } from '../report/latency.js';
import { measure } from '../report/measure.js';
import type { BenchLevel, ResultsFile } from '../report/results.js';
import { RUN_FILES, runStamp } from '../results/layout.js';
import { FAULTLINE_VERSION } from '../util/version.js';
import type { TestRecord } from '../spec/record.js';
import { resolveSystem, settingsFor } from '../system/index.js';
import type { RaftSettings, SystemOptionValue } from '../system/system.js';
import { envError } from '../util/errors.js';
import { runLevel } from './level.js';
import { makeDirs } from '../util/dirs.js';

export interface BenchOptions {
  resultsDir: string;
  /** Existing cluster's client URLs; when absent a 3-node cluster is started in `lab`. */
  endpoints?: string[];
  lab: LabKind;
  nodes: number;
  connections: number[];
  durationS: number;
  maxRequests?: number;
  /** The store to start (default: etcd when installed, else antietcd); ignored with endpoints. */
  system?: string;
  binPath?: string;
  systemOptions?: Record<string, SystemOptionValue>;
  /** Consensus timings overriding the bench's defaults (heartbeat 100 ms, election 1000 ms, pre-vote off). */
  raft?: Partial<Pick<RaftSettings, 'heartbeatMs' | 'electionMs' | 'preVote'>>;
  /** Where the one-line note about a fallback system goes. */
  say?: (line: string) => void;
  command: string[];
  /** Called after each level (progress lines). */
  onLevel?: (l: BenchLevel) => void;
}

export interface Endpoint {
  url: string;
  role: 'leader' | 'follower' | 'unknown';
}

const SETTINGS: RaftSettings = { heartbeatMs: 100, electionMs: 1000, preVote: false };

/** Asks each endpoint for its status: the one whose member id is the leader id is the leader. */
export async function classify(urls: string[]): Promise<Endpoint[]> {
  return Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(`${url.replace(/\/$/, '')}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(3000) });
        const st = (await res.json()) as { leader?: string; header?: { member_id?: string } };
        return { url, role: st.leader !== undefined && st.leader === st.header?.member_id ? 'leader' : 'follower' } as Endpoint;
      } catch (e) {
        throw envError(`faultline bench: ${url} did not answer /v3/maintenance/status (${(e as Error).message}); check --endpoints`);
      }
    }),
  );
}


function toPercentiles(l: BenchLevel): Percentiles {
  return { count: l.requests - l.errors - l.non2xx, min: l.summary.fastest, mean: l.summary.average, p50: l.percentiles.p50, p90: l.percentiles.p90, p99: l.percentiles.p99, p999: l.percentiles.p999, max: l.summary.slowest };
}

/** Leader first, then followers; every endpoint at every concurrency of the ladder. */
async function ladder(endpoints: Endpoint[], o: BenchOptions): Promise<BenchLevel[]> {
  const levels: BenchLevel[] = [];
  const ordered = [...endpoints].sort((a, b) => (a.role === 'leader' ? -1 : b.role === 'leader' ? 1 : 0));
  for (const e of ordered) {
    for (const c of o.connections) {
      const l = await runLevel({ endpoint: e.url, role: e.role, connections: c, durationS: o.durationS, ...(o.maxRequests ? { maxRequests: o.maxRequests } : {}) });
      levels.push(l);
      o.onLevel?.(l);
    }
  }
  return levels;
}

export async function runBench(o: BenchOptions): Promise<{ runDir: string; results: ResultsFile }> {
  const runId = newRunId();
  const started = new Date();
  const runDir = resolve(o.resultsDir, 'bench', `${runStamp(started)}-${runId}`);
  makeDirs(runDir);
  let version = 'unknown';
  let systemName = o.system ?? 'unknown';
  let settings: RaftSettings = SETTINGS;
  let levels: BenchLevel[];
  let nodes: string[];
  if (o.endpoints) {
    levels = await ladder(await classify(o.endpoints), o);
    nodes = o.endpoints;
  } else {
    const { system, note } = await resolveSystem(o.system, o.binPath);
    if (note) (o.say ?? ((l: string) => process.stderr.write(l + '\n')))(`faultline: ${note}`);
    systemName = system.name;
    settings = settingsFor(system, { ...SETTINGS, ...o.raft, ...(o.systemOptions ? { options: o.systemOptions } : {}) });
    await sweepDeadRuns();
    // Set-up steps push their undo; Ctrl-C or an error tears down exactly what exists, newest first.
    const scope = new Scope((what, e) => process.stderr.write(`faultline bench: ${what}: ${e.message.split('\n')[0]}\n`), true);
    try {
      const registry = RunLedger.create(runId, o.lab);
      scope.defer('release registry', () => registry.release());
      const lab = createLab(o.lab, { runId, nodeCount: o.nodes, registry, ports: system.ports });
      scope.defer('lab down', () => lab.down());
      await lab.up();
      const cluster = await system.createCluster({ lab, settings, runDir, t0: process.hrtime.bigint(), ...(o.binPath ? { binPath: o.binPath } : {}) });
      scope.defer('cluster teardown', () => cluster.teardown());
      version = cluster.version;
      await cluster.start();
      nodes = [...cluster.nodes];
      const leader = await cluster.leader();
      levels = await ladder(nodes.map((n) => ({ url: cluster.clientUrl(n), role: n === leader ? 'leader' : 'follower' })), o);
    } finally {
      await scope.close();
    }
  }
  const record: TestRecord = {
    name: 'bench',
    runId,
    seed: 0,
    startedAt: started.toISOString(),
    t0EpochMs: started.getTime(),
    command: o.command,
    system: systemName,
    lab: o.lab,
    nodes,
    settings,
    model: 'none',
    workload: 'bench-put',
    nemesis: null,
    concurrency: Math.max(...o.connections),
    timeLimitS: o.durationS * levels.length,
    serializableReads: false,
    versions: { faultline: FAULTLINE_VERSION, node: process.version, system: version },
    spec: { endpoints: o.endpoints ?? null, connections: o.connections, durationS: o.durationS, maxRequests: o.maxRequests ?? null },
  };
  writeFileSync(join(runDir, RUN_FILES.test), JSON.stringify(record, null, 1));
  const { results } = measure(
    { dir: runDir, test: record, history: [], events: [], logs: {}, metrics: [], problems: [] },
    { valid: 'unknown', model: null, message: 'benchmark: commit latency only, no linearizability check', failingKeys: [], partitions: 0, ms: 0 },
  );
  results.bench = levels;
  const requests = levels.reduce((s, l) => s + l.requests, 0);
  const bad = levels.reduce((s, l) => s + l.errors + l.non2xx, 0);
  results.ops = { total: requests, ok: requests - bad, fail: bad, info: 0, pending: 0, byOp: { put: { ok: requests - bad, fail: bad } } };
  results.throughput = { okPerS: Math.round(Math.max(0, ...levels.map((l) => l.rps)) * 10) / 10, peakOkPerS: Math.max(0, ...levels.flatMap((l) => l.perSecond)) };
  results.latency = { basis: 'invoke', ok: null, byOp: Object.fromEntries(levels.map((l) => [`put ${l.role} ${l.endpoint} c=${l.connections}`, { ok: toPercentiles(l) }])) };
  writeAtomic(join(runDir, RUN_FILES.results), JSON.stringify(results, null, 1));
  writeAtomic(join(runDir, RUN_FILES.report), buildReportHtml({ results, evidence: { valid: 'unknown', keys: [] }, timeline: [], excerpts: [] }));
  writeAtomic(join(runDir, RUN_FILES.junit), buildJunit(results));
  writeIndex(resolve(o.resultsDir));
  return { runDir, results };
}
