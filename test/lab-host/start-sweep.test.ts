// A crashed run's leftovers go at the next start, and a process the registry never heard of (SIGKILL between
// fork and record) is still found by the run id in its environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerDir } from '../../src/lab/ledger.js';
import { cli, leftovers, MAIN } from '../run/cli.js';
import { pidAlive, until } from '../support/process.js';


const dir = mkdtempSync(join(tmpdir(), 'fl-start-sweep-'));
chmodSync(dir, 0o755); // host-lab nodes run as their own uids and must reach their directories
const children: ChildProcess[] = [];
const runIds: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const id of runIds) await cli(['lab', 'down', id]);
  rmSync(dir, { recursive: true, force: true });
});

describe('leftovers of dead runs', () => {
  it('lab sweep stops an unrecorded process marked with a run id of its registry, and nothing else', async () => {
    const runId = `zz${Math.random().toString(36).slice(2, 6)}`;
    const marked = spawn('sleep', ['60'], { env: { ...process.env, FAULTLINE_RUN: runId, FAULTLINE_REGISTRY: ledgerDir() }, stdio: 'ignore' });
    // Another user's run (another registry) that happens to have no record in ours: not an orphan of ours.
    const foreign = spawn('sleep', ['60'], { env: { ...process.env, FAULTLINE_RUN: runId, FAULTLINE_REGISTRY: '/tmp/faultline-elsewhere' }, stdio: 'ignore' });
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(marked, foreign, bystander);
    // Between fork and exec a child still has our environment: wait until both marked ones carry theirs.
    const carries = (pid: number): boolean => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`FAULTLINE_RUN=${runId}`);
      } catch {
        return false;
      }
    };
    await until('the marked processes to exec', () => carries(marked.pid!) && carries(foreign.pid!));
    const r = await cli(['lab', 'sweep', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const mine = (JSON.parse(r.stdout) as { runId: string; removed: string[]; errors: string[] }[]).find((x) => x.runId === runId);
    expect(mine?.removed).toEqual([`process ${marked.pid} (unrecorded process of run ${runId})`]);
    expect(mine?.errors).toEqual([]);
    await until('the marked process to exit', () => marked.exitCode !== null || marked.signalCode !== null);
    expect(marked.signalCode).toBe('SIGKILL');
    expect(pidAlive(foreign.pid!)).toBe(true);
    expect(pidAlive(bystander.pid!)).toBe(true);
  });

  it('the next lab up removes what a SIGKILLed lab up left, and says so in one line', async () => {
    const start = (sub: string, env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; err: () => string } => {
      const child = spawn(process.execPath, [MAIN, 'lab', 'up', '--lab', 'host', '--heartbeat', '50', '--election', '500', '--json', '--results', join(dir, sub)], { stdio: ['ignore', 'pipe', 'pipe'], env });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      return { child, out: () => out, err: () => err };
    };
    const first = start('a', process.env);
    await until('the first lab to be up', () => first.out().includes('\n') || first.child.exitCode !== null);
    expect(first.err()).toBe('');
    const a = JSON.parse(first.out()) as { runId: string; nodes: { pid: number }[] };
    runIds.push(a.runId);
    first.child.kill('SIGKILL');
    await until('the first lab up to die', () => first.child.signalCode !== null);
    expect(leftovers(a.runId).length).toBeGreaterThan(0);
    for (const n of a.nodes) expect(pidAlive(n.pid)).toBe(true);

    const env = { ...process.env };
    delete env['FAULTLINE_START_SWEEP']; // the test suite turns the start sweep off; this test is about it
    const second = start('b', env);
    await until('the second lab to be up', () => second.out().includes('\n') || second.child.exitCode !== null);
    const b = JSON.parse(second.out()) as { runId: string };
    runIds.push(b.runId);
    expect(second.err()).toMatch(new RegExp(`^faultline: removed the leftovers of \\d+ dead run\\(s\\) \\([^)]*\\b${a.runId}\\b`));
    expect(second.err().trim().split('\n')).toHaveLength(1);
    expect(leftovers(a.runId)).toEqual([]);
    for (const n of a.nodes) expect(pidAlive(n.pid)).toBe(false);

    second.child.kill('SIGINT');
    await until('the second lab up to exit', () => second.child.exitCode !== null);
    expect(second.child.exitCode).toBe(130);
    expect(leftovers(b.runId)).toEqual([]);
  });
});
