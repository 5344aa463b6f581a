// A clock-faulted run killed mid-run leaves its libfaketime control directory (/tmp/fl-<id>-clock) and the
// /dev/shm files of its nodes; `faultline lab sweep` removes them, including those of a node whose files never
// made it into the record, and nothing of anyone else's (another run id's directory, another process's files).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { shmFiles } from '../../src/lab/proc.js';
import { clockDir, libfaketime } from '../../src/system/faketime.js';
import { cli, leftovers } from '../run/cli.js';
import { pidAlive, until } from '../support/process.js';

const lib = libfaketime();
const harness = fileURLToPath(new URL('./crash-harness.mjs', import.meta.url));

const runId = `zz${Math.random().toString(36).slice(2, 6)}`;
// Someone else's: a clock directory of a run id no record names, a process under libfaketime that no lab
// started, and a shm file named by a pid nobody recorded.
const otherDir = clockDir(`zy${runId.slice(2)}`);
const children: ChildProcess[] = [];
const made: string[] = [otherDir];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await cli(['lab', 'down', runId]);
  for (const p of made) rmSync(p, { recursive: true, force: true });
});

describe.skipIf(!lib || process.platform !== 'linux')('lab sweep after a clock-faulted run was SIGKILLed', () => {
  it('removes its control directory and its nodes\' libfaketime files, recorded or not, and nothing else', async () => {
    const bystander = spawn('sleep', ['300'], { env: { ...process.env, LD_PRELOAD: lib! }, stdio: 'ignore' });
    children.push(bystander);
    const unrecorded = `/dev/shm/faketime_shm_${4_000_000 + Math.floor(Math.random() * 100_000)}`;
    writeFileSync(unrecorded, '');
    mkdirSync(otherDir);
    writeFileSync(join(otherDir, 'n1.faketime'), '+0.000 x1\n');
    made.push(unrecorded, ...shmFiles(bystander.pid!));

    const h = spawn(process.execPath, [harness, runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(h);
    let out = '';
    let err = '';
    h.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    h.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await until('the harness to start its nodes', () => out.includes('\n') || h.exitCode !== null);
    expect(err).toBe('');
    const run = JSON.parse(out) as { clockDir: string; pids: { n1: number; n2: number; n3: number } };
    const { n1, n2, n3 } = run.pids;
    made.push(run.clockDir, ...[n1, n2, n3].flatMap(shmFiles));
    // libfaketime creates a process's files as it loads; n3 exited cleanly (its own went with it), so stand-ins
    // take their place, as a node SIGKILLed by a fault would have left them.
    await until('libfaketime to create its files', () => [n1, n2, bystander.pid!].flatMap(shmFiles).every(existsSync));
    for (const f of shmFiles(n3)) writeFileSync(f, '');
    h.kill('SIGKILL');
    await until('the harness to die', () => h.signalCode !== null);

    // The crash left it all in place; the record lists the directory and n1's and n3's files, not n2's.
    expect(existsSync(join(run.clockDir, 'n1.faketime'))).toBe(true);
    expect(run.clockDir).toBe(clockDir(runId));
    expect(leftovers(runId)).toContain(`clock ${run.clockDir}`);
    for (const p of [n1, n2]) expect(pidAlive(p)).toBe(true);

    const r = await cli(['lab', 'sweep', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const mine = (JSON.parse(r.stdout) as { runId: string; removed: string[]; errors: string[] }[]).find((x) => x.runId === runId);
    expect(mine?.errors).toEqual([]);
    expect(mine?.removed).toEqual(expect.arrayContaining([`directory ${run.clockDir}`, ...[n1, n3].flatMap(shmFiles).map((f) => `directory ${f}`)]));
    expect(mine?.removed.some((x) => x.includes(`faketime_sem_${n2}`) || x.includes(`faketime_shm_${n2}`))).toBe(false);

    for (const p of [n1, n2]) expect(pidAlive(p)).toBe(false);
    expect(existsSync(run.clockDir)).toBe(false);
    for (const f of [n1, n2, n3].flatMap(shmFiles)) expect(existsSync(f), f).toBe(false);
    expect(leftovers(runId)).toEqual([]);
    // Nothing of anyone else's.
    expect(pidAlive(bystander.pid!)).toBe(true);
    for (const f of [...shmFiles(bystander.pid!), unrecorded, join(otherDir, 'n1.faketime')]) expect(existsSync(f), f).toBe(true);
  });
});
