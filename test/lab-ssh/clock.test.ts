// libfaketime clock faults on the ssh lab (sandbox hosts): antietcd nodes start under LD_PRELOAD on their host,
// a bump written through the lab moves that node's own clock (Node's HTTP Date header, which the node stamps
// from its own clock) and no other, and the control files and libfaketime's shm files (named by the remote pid,
// kept in the host's record) are gone after the run's teardown and after a sweep.
import { existsSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, RunLedger } from '../../src/lab/ledger.js';
import { SshLab } from '../../src/lab/ssh.js';
import { faketimeShm, recordFile } from '../../src/lab/ssh-remote.js';
import { sweepHosts } from '../../src/lab/ssh-sweep.js';
import { antietcdSystem, type AntietcdCluster } from '../../src/system/antietcd.js';
import { libfaketime } from '../../src/system/faketime.js';
import type { RaftSettings } from '../../src/system/system.js';
import { hasSshd, isRoot, leftovers, startSandbox, type Sandbox } from './support/sandbox.js';

/** Forward, and small: going back to real time stalls the node's timers for as long (libfaketime fakes CLOCK_MONOTONIC too). */
const BUMP = 5000;
const SETTINGS: RaftSettings = { heartbeatMs: 100, electionMs: 1000, preVote: false, options: { useLocks: false } };

/** The node's clock minus ours (ms, ±1 s: the Date header has whole seconds), read from one HTTP reply. */
async function skew(url: string): Promise<number> {
  const before = Date.now();
  const r = await fetch(`${url}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(3000) });
  await r.arrayBuffer();
  return Date.parse(r.headers.get('date')!) - (before + Date.now()) / 2;
}

interface Run {
  lab: SshLab;
  registry: RunLedger;
  runId: string;
  runDir: string;
  cluster?: AntietcdCluster;
}

async function startRun(sb: Sandbox): Promise<Run> {
  const runId = newRunId();
  const registry = RunLedger.create(runId, 'ssh');
  const runDir = mkdtempSync(join(tmpdir(), `fl-test-${runId}-`));
  chmodSync(runDir, 0o755);
  const lab = new SshLab({ runId, nodeCount: 3, registry, ports: antietcdSystem.ports, ssh: { hostsFile: sb.hostsFile } });
  const run: Run = { lab, registry, runId, runDir };
  try {
    await lab.up();
    run.cluster = await antietcdSystem.createCluster({ lab, settings: SETTINGS, runDir, t0: process.hrtime.bigint() });
    await run.cluster.start(60_000);
    return run;
  } catch (e) {
    await closeRun(run).catch(() => undefined);
    throw e;
  }
}

async function closeRun(run: Run): Promise<void> {
  await run.cluster?.teardown().catch(() => undefined);
  await run.lab.down();
  await run.registry.release();
  rmSync(run.runDir, { recursive: true, force: true });
}

/** The host records' `shm PID START` lines of a run, per host dir (what teardown and sweep go by). */
function recordedShm(sb: Sandbox, runId: string): number[] {
  return sb.hostDirs.flatMap((d) => {
    const f = recordFile(d, runId);
    return existsSync(f) ? [...readFileSync(f, 'utf8').matchAll(/^shm (\d+) \d+$/gm)].map((m) => Number(m[1])) : [];
  });
}

/** Control files and shm files of the run still on the hosts (they share this machine's filesystem). */
function clockLeftovers(sb: Sandbox, runId: string, pids: number[]): string[] {
  const files = sb.hostDirs.flatMap((d) => [1, 2, 3].map((k) => join(d, `fl-${runId}`, 'nodes', `n${k}`, `fl-${runId}.faketime`)));
  return [...files, ...pids.flatMap(faketimeShm)].filter((p) => existsSync(p));
}

describe.skipIf(!isRoot || !hasSshd || libfaketime() === undefined)('libfaketime clocks on the ssh lab', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox(3);
  }, 120_000);
  afterAll(async () => {
    await sb?.down();
  }, 60_000);

  it('a +5 s bump through ssh moves that node\'s own clock only; teardown removes control and shm files by the host record', async () => {
    const run = await startRun(sb);
    let pids: number[] = [];
    try {
      const c = run.cluster!;
      expect(c.clock).toBeDefined();
      const nodes = c.nodes;
      pids = nodes.map((n) => c.pid(n)!);
      // The shm files carry the remote pids, recorded on each host before the node existed.
      expect(recordedShm(sb, run.runId).sort()).toEqual([...pids].sort());
      for (const p of pids) expect(faketimeShm(p).every((f) => existsSync(f))).toBe(true);
      // Control file on the node's host, in its mirrored directory, named with the run id.
      const file = join(sb.hostDirs[0]!, `fl-${run.runId}`, 'nodes', 'n1', `fl-${run.runId}.faketime`);
      expect(readFileSync(file, 'utf8')).toBe('+0.000 x1\n');

      for (const n of nodes) expect(Math.abs(await skew(c.clientUrl(n)))).toBeLessThan(1500);
      const t = Date.now();
      await c.clock!.setClock('n1', BUMP, 1);
      const written = Date.now() - t;
      let seen = 0;
      while (Math.abs((await skew(c.clientUrl('n1'))) - BUMP) > 1500) {
        if (Date.now() - t > 10_000) throw new Error(`n1 never showed the +${BUMP} ms bump`);
        seen++;
      }
      const effective = Date.now() - t;
      console.log(`clock bump through ssh: control file written in ${written} ms, seen by the node ${effective} ms after the call (${seen} replies before)`);
      expect(readFileSync(file, 'utf8')).toMatch(/^\+5\.\d{3} x1\n$/);
      for (const n of ['n2', 'n3']) expect(Math.abs(await skew(c.clientUrl(n)))).toBeLessThan(1500);
      // Back to real time: libfaketime moves the monotonic clock too, so the node's timers (and Node's cached
      // Date header) stall for the 5 s it went back, then its replies carry real time again.
      await c.clock!.resetClock('n1');
      expect(readFileSync(file, 'utf8')).toBe('+0.000 x1\n');
      const back = Date.now();
      while (Math.abs(await skew(c.clientUrl('n1'))) > 1500) {
        if (Date.now() - back > 15_000) throw new Error('n1 never came back to real time');
        await new Promise((r) => setTimeout(r, 200));
      }

      // A SIGKILLed node leaves its shm files: the lab removes them once it has ended; its restart gets a
      // new remote pid, recorded too.
      await c.kill('n2');
      const deadline = Date.now() + 10_000;
      while (faketimeShm(pids[1]!).some((f) => existsSync(f)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(faketimeShm(pids[1]!).filter((f) => existsSync(f))).toEqual([]);
      await c.restart('n2');
      pids.push(c.pid('n2')!);
      expect(recordedShm(sb, run.runId)).toContain(c.pid('n2'));
    } finally {
      await closeRun(run);
    }
    expect(clockLeftovers(sb, run.runId, pids)).toEqual([]);
    expect(leftovers(sb, run.runId)).toEqual([]);
  }, 180_000);

  it('after `lab sweep --lab ssh --all` no shm file of the swept run remains (removed by the sweep or the node\'s exit)', async () => {
    const run = await startRun(sb);
    let pids: number[] = [];
    try {
      const c = run.cluster!;
      pids = c.nodes.map((n) => c.pid(n)!);
      expect(recordedShm(sb, run.runId).sort()).toEqual([...pids].sort());
      // What a crashed control node leaves: nodes SIGKILLed by the sweep keep their shm files until the record goes.
      const reports = await sweepHosts(run.lab.config, true);
      const removed = reports.filter((r) => r.runId === run.runId).flatMap((r) => r.removed);
      // The sweep removes them through the host record; a node it killed may also be cleaned by this (still
      // live) lab's own exit handler first, and then the sweep finds nothing left to remove for that pid.
      for (const p of pids) expect(removed.some((l) => l.includes(`faketime_shm_${p}`)) || !faketimeShm(p).some((f) => existsSync(f)), `pid ${p}`).toBe(true);
      expect(clockLeftovers(sb, run.runId, pids)).toEqual([]);
    } finally {
      await closeRun(run);
    }
    expect(clockLeftovers(sb, run.runId, pids)).toEqual([]);
    expect(leftovers(sb, run.runId)).toEqual([]);
  }, 180_000);
});
