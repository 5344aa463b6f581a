// The SSH lab against the local sshd sandbox: commands and processes on the hosts, logs back, signals, network
// faults on each host, one-line errors naming the host, and nothing left behind.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/lab/exec.js';
import { until } from '../support/process.js';
import { newRunId, RunLedger } from '../../src/lab/ledger.js';
import { SshLab } from '../../src/lab/ssh.js';
import type { RemoteProcess } from '../../src/lab/ssh-process.js';
import { FaultlineError } from '../../src/util/errors.js';
import { cli } from '../run/cli.js';
import { hasSshd, isRoot, leftovers, markedPids, startSandbox, type Sandbox } from './support/sandbox.js';

const PLAN = { ports: { client: 2379 }, peer: ['client'] };

function newLab(hostsFile: string, nodeCount = 3): { lab: SshLab; registry: RunLedger; runId: string } {
  const runId = newRunId();
  const registry = RunLedger.create(runId, 'ssh');
  return { lab: new SshLab({ runId, nodeCount, registry, ports: PLAN, ssh: { hostsFile } }), registry, runId };
}

const state = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;

const exited = (p: RemoteProcess): Promise<[number | null, string | null]> =>
  new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r([p.exitCode, p.signalCode]) : p.once('exit', (c, s) => r([c, s]))));

describe.skipIf(!isRoot || !hasSshd)('ssh lab on the sandbox', () => {
  let sb: Sandbox;
  let tmp: string;
  beforeAll(async () => {
    sb = await startSandbox(3);
    tmp = mkdtempSync(join(tmpdir(), 'fl-ssh-'));
  });
  afterAll(async () => {
    await sb?.down();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs commands and processes on each host, streams logs back, signals the remote pid, and leaves nothing', async () => {
    const { lab, registry, runId } = newLab(sb.hostsFile);
    try {
      await lab.up();
      expect(lab.nodes.map((n) => n.ip)).toEqual(sb.addresses);
      // Commands run on the node's own host: its address is there.
      const r = await lab.exec('n2', 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(sb.addresses[1]);

      const nodeDir = join(tmp, 'run', 'nodes', 'n2');
      const p = lab.spawn('n2', '/bin/sh', ['-c', 'echo hello; echo "$FAULTLINE_RUN" >> "$1"; sleep 60', 'sh', join(nodeDir, 'own.log')], { logFile: join(nodeDir, 'stdout.log') });
      await new Promise((res, rej) => (p.once('spawn', res), p.once('error', rej)));
      const pid = p.pid!;
      expect(state(pid)).toMatch(/[SR]/);
      p.kill('SIGSTOP');
      await until('the remote process to stop', () => state(pid) === 'T', 5000);
      p.kill('SIGCONT');
      await until('the remote process to continue', () => state(pid) !== 'T', 5000);
      p.kill('SIGKILL');
      expect(await exited(p)).toEqual([null, 'SIGKILL']);
      // stdout came back through the start-up session; the file the process wrote itself through its own stream.
      expect(readFileSync(join(nodeDir, 'stdout.log'), 'utf8')).toBe('hello\n');
      expect(readFileSync(join(nodeDir, 'own.log'), 'utf8')).toBe(`${runId}\n`);

      // Stamped lines, as the local labs write them for untimed logs; the exit code of a normal end.
      const q = lab.spawn('n3', '/bin/sh', ['-c', 'echo one; echo two; exit 3'], { logFile: join(tmp, 'run', 'nodes', 'n3', 'stamped.log'), stampLines: true });
      expect(await exited(q)).toEqual([3, null]);
      const lines = readFileSync(join(tmp, 'run', 'nodes', 'n3', 'stamped.log'), 'utf8').trim().split('\n');
      expect(lines.map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, ''))).toEqual(['one', 'two']);

      // A command the host lacks: one line naming the host and the fix.
      const m = lab.spawn('n1', 'no-such-binary-fl', []);
      const err = await new Promise<Error>((res) => m.once('error', res));
      expect(err.message).toMatch(new RegExp(`^ssh host root@${sb.addresses[0]!.replace(/\./g, '\\.')}: no-such-binary-fl not found .*install no-such-binary-fl there$`));
      // Left running on purpose: down() must remove it.
      lab.spawn('n1', 'sleep', ['300']);
      await sleep(800);
      expect(leftovers(sb, runId).some((l) => l.startsWith('process'))).toBe(true);
    } finally {
      await lab.down();
      expect(await registry.release()).toEqual([]);
    }
    expect(leftovers(sb, runId)).toEqual([]);
  });

  it('cuts links with DROP on the receiving host, heals, shapes bandwidth and loss, and says why delay is refused', async () => {
    const { lab, registry, runId } = newLab(sb.hostsFile);
    try {
      await lab.up();
      const [a, b] = lab.nodes;
      // n1 drops what n2 sends: n2's connection attempt vanishes (timeout, 124), it is not refused.
      const dial = (from: string, to: string): Promise<number> => lab.exec(from, 'timeout', ['1', 'bash', '-c', `</dev/tcp/${to}/22`]).then((x) => x.exitCode);
      expect(await dial('n2', a!.ip)).toBe(0);
      await lab.net.partition({ n1: ['n2'] });
      expect(await dial('n2', a!.ip)).toBe(124);
      expect(await dial('n3', a!.ip)).toBe(0);
      expect(await dial('n1', b!.ip)).toBe(124); // one-way over TCP: the replies to n1 are dropped too
      await lab.net.heal();
      expect(await dial('n2', a!.ip)).toBe(0);

      await lab.net.bandwidth(['n1'], 8000);
      expect((await lab.exec('n1', 'tc', ['qdisc', 'show', 'dev', 'eth0'])).stdout).toContain('tbf');
      await lab.net.loss([{ from: 'n1', to: 'n3' }], 0.5);
      expect((await lab.exec('n1', 'iptables', ['-w', '-S', `fl-${runId}-loss`])).stdout).toMatch(new RegExp(`-A fl-${runId}-loss -d ${lab.nodes[2]!.ip}/32 -m statistic --mode random --probability 0\\.50* -j DROP`));
      await lab.net.clearShaping();
      expect((await lab.exec('n1', 'tc', ['qdisc', 'show', 'dev', 'eth0'])).stdout).not.toContain('tbf');
      expect((await lab.exec('n1', 'iptables', ['-w', '-S', `fl-${runId}-loss`])).stdout.trim()).toBe(`-N fl-${runId}-loss`);
      if (!lab.net.capabilities.has('delay')) {
        expect(lab.net.missing('delay')).toMatch(/tc netem on every host.*NFQUEUE fallback exists only in --lab netns/);
        await expect(lab.net.delay([{ from: 'n1', to: 'n2' }, { from: 'n1', to: 'n3' }], 50, 0)).rejects.toThrow(/netem/);
      }
      // Left in place on purpose: down() must take the partition and the qdisc away.
      await lab.net.partition({ n1: ['n2', 'n3'] });
      await lab.net.bandwidth(['n2'], 8000);
    } finally {
      await lab.down();
      expect(await registry.release()).toEqual([]);
    }
    expect(leftovers(sb, runId)).toEqual([]);
  });

  it('names the host and the fix when it cannot connect: no sshd there, or a host key not trusted', async () => {
    const hosts = JSON.parse(readFileSync(sb.hostsFile, 'utf8')) as { hosts: { address: string; port: number }[]; knownHosts: string };
    const badPort = join(tmp, 'bad-port.json');
    writeFileSync(badPort, JSON.stringify({ ...hosts, hosts: hosts.hosts.map((h, i) => (i === 1 ? { ...h, port: 2222 } : h)), connectTimeoutS: 2 }));
    const untrusted = join(tmp, 'untrusted.json');
    writeFileSync(join(tmp, 'empty_known_hosts'), '');
    writeFileSync(untrusted, JSON.stringify({ ...hosts, knownHosts: join(tmp, 'empty_known_hosts') }));
    for (const [file, want] of [
      [badPort, new RegExp(`^ssh host root@${sb.addresses[1]!.replace(/\./g, '\\.')}:2222: .*: no sshd listens on port 2222 there$`)],
      [untrusted, /^ssh host root@[\d.]+: Host key verification failed\.: its host key is not trusted: add it to .*known_hosts \(ssh-keyscan -p 22 [\d.]+ >> FILE, then check it\) or set "hostKeyChecking": "accept-new"$/],
    ] as const) {
      const { lab, registry, runId } = newLab(file);
      const e = await lab.up().then(() => undefined, (x: Error) => x);
      expect(e).toBeInstanceOf(FaultlineError);
      expect((e as FaultlineError).code).toBe(4);
      expect((e as Error).message).toMatch(want);
      expect((e as Error).message).not.toContain('\n');
      expect(await registry.release()).toEqual([]);
      expect(leftovers(sb, runId)).toEqual([]);
    }
  });

  it('lab sandbox up --detach prints a hosts file that works; lab sandbox down removes it all', async () => {
    const up = await cli(['lab', 'sandbox', 'up', '--hosts', '1', '--detach', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout) as { runId: string; hostsFile: string; addresses: string[] };
    try {
      const { lab, registry } = newLab(info.hostsFile, 1);
      try {
        await lab.up();
        expect((await lab.exec('n1', 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout).toContain(info.addresses[0]);
      } finally {
        await lab.down();
        expect(await registry.release()).toEqual([]);
      }
    } finally {
      const down = await cli(['lab', 'sandbox', 'down', info.runId]);
      expect(down.code, down.stderr).toBe(0);
    }
    expect(existsSync(`/run/netns/fl-${info.runId}-n1`)).toBe(false);
    expect(existsSync(info.hostsFile)).toBe(false);
    expect(markedPids(info.runId)).toEqual([]);
  });
});
