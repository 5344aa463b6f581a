// `faultline lab` through the built CLI: missing etcd → exit 4 with the apt-get hint; up/Ctrl-C, up --detach/down.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../support/process.js';

const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const runsNow = async (): Promise<string[]> => (JSON.parse((await cli(['lab', 'status', '--json'])).stdout) as { runId: string }[]).map((r) => r.runId);

describe('faultline lab (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-labcli-'));
  // Nodes run as their own uids (as root) and must be able to enter the run directory.
  chmodSync(dir, 0o755);
  const started: string[] = [];
  afterAll(async () => {
    for (const r of started) await cli(['lab', 'down', r]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('missing etcd binary: exit 4, one line naming the apt-get fix, nothing registered', async () => {
    const before = await runsNow();
    const c = await cli(['lab', 'up', '--lab', 'host', '--bin', '/nonexistent/etcd', '--json']);
    expect(c.code).toBe(4);
    const a = await cli(['lab', 'up', '--lab', 'host', '--bin', '/nonexistent', '--results', join(dir, 'x')]);
    expect(a.code).toBe(4);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toContain('apt-get install etcd-server etcd-client');
    // Without --system a missing etcd falls back to antietcd; naming etcd makes its absence an error.
    const b = await cli(['lab', 'up', '--system', 'etcd', '--lab', 'host', '--results', join(dir, 'y')], { ...process.env, PATH: '/nonexistent' });
    expect(b.code).toBe(4);
    expect(b.stderr).toMatch(/etcd not found on PATH.*apt-get install etcd-server etcd-client/);
    // Other test files register and release runs meanwhile, so only "not more than they could add" is checkable
    // from the registry; the refused commands' own directories must not exist at all.
    expect((await runsNow()).length).toBeLessThanOrEqual(before.length + 2);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });

  it('bad options exit 3 with the problem named', async () => {
    const a = await cli(['lab', 'up', '--nodez', '3']);
    expect(a.code).toBe(3);
    expect(a.stderr).toContain('--nodez');
    const b = await cli(['lab', 'up', '--pre-vote', 'maybe']);
    expect(b.code).toBe(3);
    expect(b.stderr).toContain('--pre-vote must be on or off');
    const c = await cli(['lab', 'frobnicate']);
    expect(c.code).toBe(3);
    const d = await cli(['lab', 'down', 'nosuchrun']);
    expect(d.code).toBe(3);
  });

  it('lab up stays up until SIGINT, then removes everything and exits 130', async () => {
    const child = spawn(process.execPath, [main, 'lab', 'up', '--lab', 'host', '--heartbeat', '50', '--election', '500', '--json', '--results', join(dir, 'fg')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(err).toBe('');
      const info = JSON.parse(out) as { runId: string; dir: string; leader: string; nodes: { pid: number; clientUrl: string }[] };
      started.push(info.runId);
      expect(info.nodes).toHaveLength(3);
      expect(info.leader).toMatch(/^n[123]$/);
      const res = await fetch(info.nodes[0]!.clientUrl + '/health');
      expect(res.ok).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      for (const n of info.nodes) expect(pidAlive(n.pid)).toBe(false);
      expect(await runsNow()).not.toContain(info.runId);
      expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toContain(`FL-${info.runId}`);
      // Logs stay, data dirs go.
      expect(existsSync(join(info.dir, 'nodes', 'n1', 'etcd.log'))).toBe(true);
      expect(readdirSync(join(info.dir, 'nodes', 'n1'))).not.toContain('data');
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  });

  it('lab up --detach leaves a live run that sweep ignores and down removes', async () => {
    const up = await cli(['lab', 'up', '--lab', 'host', '--nodes', '3', '--heartbeat', '50', '--election', '500', '--detach', '--json', '--results', join(dir, 'bg')]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const info = JSON.parse(up.stdout) as { runId: string; pid: number; nodes: { pid: number }[] };
    started.push(info.runId);
    expect(pidAlive(info.pid)).toBe(true);
    const sw = JSON.parse((await cli(['lab', 'sweep', '--json'])).stdout) as { runId: string }[];
    expect(sw.map((r) => r.runId)).not.toContain(info.runId);
    for (const n of info.nodes) expect(pidAlive(n.pid)).toBe(true);
    const down = await cli(['lab', 'down', info.runId, '--json']);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ runId: info.runId, errors: [] });
    for (const n of info.nodes) expect(pidAlive(n.pid)).toBe(false);
    expect(pidAlive(info.pid)).toBe(false);
    expect(await runsNow()).not.toContain(info.runId);
  });
});
