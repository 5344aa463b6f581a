// A local SSH sandbox: N network namespaces (the netns lab's), each running Debian's sshd on its own address with
// a host key and a client key made for it, and a hosts file for `--lab ssh --hosts-file` that trusts exactly those.
import { createConnection } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envError } from '../util/errors.js';
import { makeDirs } from '../util/dirs.js';
import { mustRun, runCommand, sleep } from './exec.js';
import { sweepScript } from './ssh-remote.js';
import { NetnsLab } from './netns.js';
import { newRunId, ledgerDir, RunLedger } from './ledger.js';

const SSHD = '/usr/sbin/sshd';

export interface Sandbox {
  runId: string;
  dir: string;
  /** The file to pass as --hosts-file. */
  hostsFile: string;
  addresses: string[];
  /** Each host's working dir (under the sandbox dir: the hosts share this machine's filesystem). */
  hostDirs: string[];
  down(): Promise<string[]>;
}

function sshdConfig(ip: string, dir: string, hostKey: string): string {
  return [
    'Port 22',
    `ListenAddress ${ip}`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The sandbox's files live in a directory sshd's ownership checks were not written for.
    'StrictModes no',
    'PidFile none',
    // One multiplexed connection carries every session of a run (nodes, log streams, strace, the guard).
    'MaxSessions 200',
    'MaxStartups 100:30:200',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

function accepts(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: ip, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts `count` sshd hosts; everything is recorded in a registry of its own, so `lab down ID` and sweeps work. */
export async function startSandbox(count: number, opts: { dir?: string; runId?: string } = {}): Promise<Sandbox> {
  if (!existsSync(SSHD)) throw envError(`${SSHD} not found: apt-get install openssh-server`);
  const runId = opts.runId ?? newRunId();
  const registry = RunLedger.create(runId, 'sandbox');
  const dir = opts.dir ?? join(ledgerDir(), `fl-${runId}-sandbox`);
  const lab = new NetnsLab({ runId, nodeCount: count, registry, ports: { ports: { client: 22 }, peer: ['client'] } });
  const down = async (): Promise<string[]> => {
    // Whatever runs left on these hosts goes first: a process keeps a deleted namespace alive.
    await Promise.all(lab.nodes.map((n, k) => runCommand('ip', ['netns', 'exec', n.netns!, 'sh', '-c', sweepScript(join(dir, `h${k + 1}`, 'work'), undefined, true)], { timeoutMs: 60_000 })));
    await lab.down();
    return registry.release();
  };
  try {
    registry.add({ kind: 'dir', path: dir });
    makeDirs(dir);
    // sshd refuses to start without its privilege-separation directory (created by the package's service).
    makeDirs('/run/sshd');
    const clientKey = join(dir, 'id_ed25519');
    await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `faultline-sandbox-${runId}`, '-f', clientKey]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
    await lab.up();
    const known: string[] = [];
    const hosts = [];
    const hostDirs: string[] = [];
    for (const [k, n] of lab.nodes.entries()) {
      const hdir = join(dir, `h${k + 1}`);
      makeDirs(hdir);
      const hostKey = join(hdir, 'ssh_host_ed25519_key');
      await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `faultline-sandbox-${runId}-h${k + 1}`, '-f', hostKey]);
      const pub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ');
      known.push(`${n.ip} ${pub[0]} ${pub[1]}`);
      const config = join(hdir, 'sshd_config');
      writeFileSync(config, sshdConfig(n.ip, dir, hostKey));
      lab.spawn(n.name, SSHD, ['-D', '-e', '-f', config], { logFile: join(hdir, 'sshd.log') });
      const work = join(hdir, 'work');
      hostDirs.push(work);
      hosts.push({ address: n.ip, port: 22, user: 'root', identity: clientKey, sudo: false, dir: work, sandbox: dir });
    }
    writeFileSync(join(dir, 'known_hosts'), known.join('\n') + '\n');
    const hostsFile = join(dir, 'hosts.json');
    writeFileSync(hostsFile, JSON.stringify({ hosts, knownHosts: join(dir, 'known_hosts'), hostKeyChecking: 'strict' }, null, 1) + '\n');
    const deadline = Date.now() + 10_000;
    for (const n of lab.nodes) {
      while (!(await accepts(n.ip, 22))) {
        if (Date.now() > deadline) throw envError(`sandbox: sshd on ${n.ip} does not accept connections: see ${join(dir, `h${lab.nodes.indexOf(n) + 1}`, 'sshd.log')}`);
        await sleep(20);
      }
    }
    return { runId, dir, hostsFile, addresses: lab.nodes.map((n) => n.ip), hostDirs, down };
  } catch (e) {
    await down();
    throw e;
  }
}
