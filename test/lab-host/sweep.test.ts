// A harness SIGKILLed mid-fault leaves a partition, strace and etcd behind; `faultline lab sweep` removes all of it.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../support/process.js';

const root = process.getuid?.() === 0;
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const harness = fileURLToPath(new URL('./crash-harness.mjs', import.meta.url));

describe.skipIf(!root)('crash then sweep (root, needs dist/ built)', () => {
  let made: { runId: string; runDir: string; chain: string; etcdPids: number[]; stracePid: number } | undefined;
  afterAll(async () => {
    // Whatever happened above, leave nothing of this run behind.
    if (made) {
      await promisify(execFile)(process.execPath, [main, 'lab', 'down', made.runId]).catch(() => undefined);
      rmSync(made.runDir, { recursive: true, force: true });
    }
  });

  it('removes the chain, strace and etcd processes and the uid lock of the dead run', async () => {
    const child = spawn(process.execPath, [harness], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        if (stdout.includes('\n')) {
          clearInterval(t);
          resolve(stdout.split('\n')[0]!);
        }
      }, 20);
      child.once('exit', (code) => {
        clearInterval(t);
        reject(new Error(`harness exited ${code}: ${stderr}`));
      });
    });
    made = JSON.parse(line) as NonNullable<typeof made>;
    const m = made;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // The crash left everything in place.
    expect(execFileSync('iptables-save', { encoding: 'utf8' })).toContain(m.chain);
    expect(pidAlive(m.stracePid)).toBe(true);
    for (const p of m.etcdPids) expect(pidAlive(p)).toBe(true);

    const t = Date.now();
    const { stdout: out } = await promisify(execFile)(process.execPath, [main, 'lab', 'sweep', '--json']);
    const reports = JSON.parse(out) as { runId: string; removed: string[]; errors: string[] }[];
    console.log(`lab sweep after a SIGKILLed harness: ${Date.now() - t} ms`);
    const mine = reports.find((r) => r.runId === m.runId)!;
    expect(mine.errors).toEqual([]);
    expect(mine.removed.some((r) => r.includes('strace'))).toBe(true);

    expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toContain(m.chain);
    expect(pidAlive(m.stracePid)).toBe(false);
    for (const p of m.etcdPids) expect(pidAlive(p)).toBe(false);
    const straces = await promisify(execFile)('pgrep', ['-af', 'strace']).then((r) => r.stdout, () => '');
    expect(straces.includes(`-p ${m.etcdPids[1]} `)).toBe(false);
    // The run's record is gone, so status no longer lists it.
    const { stdout: st } = await promisify(execFile)(process.execPath, [main, 'lab', 'status', '--json']);
    expect((JSON.parse(st) as { runId: string }[]).some((r) => r.runId === m.runId)).toBe(false);
  });
});
