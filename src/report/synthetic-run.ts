// Writes a synthetic but internally consistent run directory (history, logs, metrics) for benchmarks and tests.
import { seeded } from '../generator/random.js';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Json, Op } from '../history/op.js';
import { nodeDir, nodeLog, nodeMetrics, RUN_FILES, type RunEvent } from '../results/layout.js';
import type { TestRecord } from '../spec/record.js';
import { makeDirs } from '../util/dirs.js';
import { FAULTLINE_VERSION } from '../util/version.js';

export interface SyntheticOptions {
  ops: number;
  concurrency?: number;
  keys?: number;
  seed?: number;
  /** Mean latency of an op outside faults, ms. */
  meanLatencyMs?: number;
  /** Fault windows (seconds); ops inside are slower and 10% end `info`; one election follows each start. */
  faults?: { fault: string; startS: number; endS: number }[];
  /** Harness stalls to record in events.jsonl. */
  stalls?: { atS: number; ms: number }[];
  /** Put this string into a written value, a key, a nemesis value and a log line (XSS tests). */
  hostile?: string;
  /** Make one read return a value that was never written, so the history is not linearizable. */
  nonLinearizable?: boolean;
  /** Leave the last history line half-written, as a killed harness does. */
  truncate?: boolean;
  nodes?: string[];
}

interface SynCall {
  process: number;
  key: string;
  f: 'read' | 'write';
  invoke: number;
  complete: number;
  lin: number;
  outcome: 'ok' | 'info';
  value: string | null;
  node: string;
}

const T0_EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (s: number): string => new Date(T0_EPOCH_MS + s * 1000).toISOString();

export function writeSyntheticRun(dir: string, o: SyntheticOptions): { durationS: number } {
  const random = seeded(o.seed ?? 1);
  const conc = o.concurrency ?? 8;
  const nKeys = o.keys ?? 4;
  const nodes = o.nodes ?? ['n1', 'n2', 'n3'];
  const faults = o.faults ?? [];
  const mean = (o.meanLatencyMs ?? 2) * 1e6;
  const inFault = (t: number): boolean => faults.some((f) => t >= f.startS * 1e9 && t < f.endS * 1e9);
  const keyName = (k: number): string => (o.hostile && k === 0 ? `k0${o.hostile}` : `k${k}`);
  const calls: SynCall[] = [];
  const clock = new Array<number>(conc).fill(1e6);
  const procId = Array.from({ length: conc }, (_, i) => i);
  let nextProc = conc;
  for (let i = 0; i < o.ops; i++) {
    const w = i % conc;
    const invoke = clock[w]!;
    const slow = inFault(invoke);
    const lat = Math.max(0.05e6, -Math.log(1 - random()) * mean * (slow ? 5 : 1));
    const outcome = slow && random() < 0.1 ? 'info' : 'ok';
    const f = random() < 0.5 ? 'write' : 'read';
    calls.push({
      process: procId[w]!,
      key: keyName(Math.floor(random() * nKeys)),
      f,
      invoke,
      complete: invoke + lat,
      lin: invoke + random() * lat,
      outcome,
      value: f === 'write' ? (o.hostile && i === 1 ? o.hostile : `v${i}`) : null,
      node: nodes[w % nodes.length]!,
    });
    clock[w] = invoke + lat + 0.1e6;
    // An indeterminate op retires its process (ARCHITECTURE.md): the worker continues under a new id.
    if (outcome === 'info') procId[w] = nextProc++;
  }
  // Reads return the register's value at their linearization point: linearizable by construction.
  const state = new Map<string, string | null>();
  for (const c of [...calls].sort((a, b) => a.lin - b.lin)) {
    if (c.f === 'write') state.set(c.key, c.value);
    else c.value = state.get(c.key) ?? null;
  }
  if (o.nonLinearizable) {
    const victim = calls.find((c, i) => i > calls.length / 2 && c.f === 'read' && c.outcome === 'ok');
    if (victim) victim.value = o.hostile ?? 'never-written';
  }
  const recs: Op[] = [];
  for (const c of calls) {
    recs.push({ index: 0, time: c.invoke, process: c.process, type: 'invoke', f: c.f, key: c.key, value: c.f === 'write' ? c.value : null, node: c.node });
    const done: Op = { index: 0, time: c.complete, process: c.process, type: c.outcome, f: c.f, key: c.key, value: c.value };
    if (c.outcome === 'info') done.error = 'timeout';
    recs.push(done);
  }
  for (const f of faults) {
    const value: Json = o.hostile ? { note: o.hostile } : { isolated: ['n1'] };
    recs.push({ index: 0, time: f.startS * 1e9, process: 'nemesis', type: 'invoke', f: `start-${f.fault}`, value });
    recs.push({ index: 0, time: f.startS * 1e9 + 2e6, process: 'nemesis', type: 'info', f: `start-${f.fault}`, value });
    recs.push({ index: 0, time: f.endS * 1e9, process: 'nemesis', type: 'invoke', f: `stop-${f.fault}` });
    recs.push({ index: 0, time: f.endS * 1e9 + 2e6, process: 'nemesis', type: 'info', f: `stop-${f.fault}` });
  }
  recs.sort((a, b) => a.time - b.time);
  recs.forEach((r, i) => (r.index = i));
  const endNs = recs.length ? recs[recs.length - 1]!.time : 0;
  const durationS = endNs / 1e9;

  makeDirs(dir);
  const test: TestRecord = {
    name: 'synthetic',
    runId: 'syn001',
    seed: o.seed ?? 1,
    startedAt: iso(0),
    t0EpochMs: T0_EPOCH_MS,
    command: ['faultline', 'run', '--workload', 'register', '--seed', String(o.seed ?? 1), ...(o.hostile ? ['--note', o.hostile] : [])],
    system: 'etcd',
    lab: 'host',
    nodes,
    settings: { heartbeatMs: 100, electionMs: 1000, preVote: true },
    model: 'register',
    workload: 'register',
    nemesis: faults.map((f) => f.fault),
    concurrency: conc,
    timeLimitS: Math.ceil(durationS),
    serializableReads: false,
    versions: { faultline: FAULTLINE_VERSION, node: process.version, system: '3.4.23' },
    spec: { synthetic: true },
  };
  writeFileSync(join(dir, RUN_FILES.test), JSON.stringify(test, null, 1));
  const fd = openSync(join(dir, RUN_FILES.history), 'w');
  let chunk: string[] = [];
  for (const r of recs) {
    chunk.push(JSON.stringify(r));
    if (chunk.length === 10_000) {
      writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  if (o.truncate) writeSync(fd, '{"index":999999999,"time":');
  closeSync(fd);
  const events: RunEvent[] = [{ time: 0, type: 'phase', phase: 'warm-up' }, ...(o.stalls ?? []).map((s) => ({ time: s.atS * 1e9, type: 'stall' as const, ms: s.ms }))];
  writeFileSync(join(dir, RUN_FILES.events), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeNodes(dir, nodes, faults, durationS, o.hostile);
  return { durationS };
}

/** zap-style logs with one election after each fault start, and /metrics samples every second. */
function writeNodes(dir: string, nodes: string[], faults: { startS: number }[], durationS: number, hostile?: string): void {
  const ids = nodes.map((_, i) => `${(0x8e9e05c52164 + i).toString(16)}abcd`);
  const line = (s: number, msg: string, level = 'info'): string => JSON.stringify({ level, ts: iso(s), caller: 'raft/raft.go:700', msg });
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    makeDirs(nodeDir(dir, n));
    const lines = [line(-1.2, `${ids[i]} became follower at term 1`)];
    if (i === 0) lines.push(line(-1.1, `${ids[0]} became candidate at term 2`), line(-1.05, `${ids[0]} became leader at term 2`));
    else lines.push(line(-1.05, `${ids[i]} became follower at term 2`));
    faults.forEach((f, k) => {
      const term = 3 + k;
      const leader = (k + 1) % nodes.length;
      if (i === leader) {
        lines.push(line(f.startS + 1.0, `${ids[i]} became pre-candidate at term ${term - 1}`), line(f.startS + 1.001, `${ids[i]} became candidate at term ${term}`), line(f.startS + 1.004, `${ids[i]} became leader at term ${term}`));
      } else {
        lines.push(line(f.startS + 1.002, `${ids[i]} became follower at term ${term}`));
      }
      if (hostile) lines.push(line(f.startS + 1.003, `peer said ${hostile}`, 'warn'));
    });
    for (let s = 0; s < durationS; s += 5) lines.push(line(s, 'apply request took too long', 'warn'));
    lines.sort((a, b) => a.localeCompare(b));
    writeFileSync(nodeLog(dir, n, 'etcd.log'), lines.join('\n') + '\n');
    const samples: string[] = [];
    for (let s = 0; s <= durationS; s++) {
      const committed = 100 + s * 50;
      const fsync = { '0.001': 10 * s, '0.002': 18 * s, '0.004': 20 * s, '0.008': 20 * s, '+Inf': 20 * s };
      const values: Record<string, number> = {
        etcd_server_proposals_committed_total: committed,
        etcd_server_proposals_applied_total: committed - (i === 2 ? 5 : 0),
        etcd_server_proposals_failed_total: 0,
        etcd_server_proposals_pending: 0,
      };
      for (const [le, v] of Object.entries(fsync)) {
        values[`etcd_disk_wal_fsync_duration_seconds_bucket{le="${le}"}`] = v;
        values[`etcd_disk_backend_commit_duration_seconds_bucket{le="${le}"}`] = v;
      }
      samples.push(JSON.stringify({ time: s * 1e9 + i * 1e6, node: n, values }));
    }
    writeFileSync(nodeMetrics(dir, n), samples.join('\n') + '\n');
  }
}
