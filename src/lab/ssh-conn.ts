// One SSH host as the lab sees it: OpenSSH's own client, a multiplexing master per host, short commands with a
// timeout, long sessions, and failures turned into one line naming the host and the fix.
import { spawn, type ChildProcess } from 'node:child_process';
import { runCommand, sleep, type ExecResult } from './exec.js';
import { markedEnv } from './marker.js';
import { hostName, type HostKeyChecking, type SshHost } from './ssh-hosts.js';
import { envError } from '../util/errors.js';

export interface ConnOptions {
  runId: string;
  knownHosts: string;
  hostKeyChecking: HostKeyChecking;
  connectTimeoutS: number;
  commandTimeoutS: number;
  /** Control socket of the master; absent: every command opens its own connection (sweep, benchmarks). */
  controlPath?: string;
}

/** Single-quotes a word for the remote shell. */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** ssh's last words on a failed connection, with what to do about each kind. */
export function sshFailure(host: SshHost, stderr: string, o: Pick<ConnOptions, 'knownHosts'>): string {
  const line = stderr.trim().split('\n').filter((l) => l && !l.startsWith('Warning: Permanently added')).pop() ?? 'ssh failed';
  const name = hostName(host);
  let fix = 'check that the host is up and sshd answers there';
  if (/host key verification failed|REMOTE HOST IDENTIFICATION|No .* host key is known/i.test(line)) {
    fix = `its host key is not trusted: add it to ${o.knownHosts} (ssh-keyscan -p ${host.port} ${host.address} >> FILE, then check it) or set "hostKeyChecking": "accept-new"`;
  } else if (/permission denied/i.test(line)) {
    fix = `check the user (${host.user}) and the identity file${host.identity ? ` (${host.identity})` : ''}`;
  } else if (/connection refused/i.test(line)) {
    fix = `no sshd listens on port ${host.port} there`;
  } else if (/timed out|no route|unreachable|could not resolve/i.test(line)) {
    fix = 'the address is unreachable from here: check the address and the network';
  } else if (/sudo/i.test(line)) {
    fix = `user ${host.user} needs passwordless sudo there (or set "sudo": false and log in as root)`;
  }
  return `ssh host ${name}: ${line.replace(/\r/g, '')}: ${fix}`;
}

export class SshConnection {
  private master: ChildProcess | undefined;

  constructor(
    readonly host: SshHost,
    readonly o: ConnOptions,
  ) {}

  get name(): string {
    return hostName(this.host);
  }

  /** ssh's options; `mux` routes through the master's socket. */
  args(mux = true): string[] {
    const a = this.base();
    if (mux && this.o.controlPath) a.push('-o', 'ControlMaster=no', '-o', `ControlPath=${this.o.controlPath}`);
    else a.push('-o', 'ControlMaster=no', '-o', 'ControlPath=none');
    return a;
  }

  private base(): string[] {
    const h = this.host;
    const a = [
      '-p', String(h.port), '-l', h.user,
      '-o', 'BatchMode=yes',
      '-o', `StrictHostKeyChecking=${this.o.hostKeyChecking === 'strict' ? 'yes' : 'accept-new'}`,
      '-o', `UserKnownHostsFile=${this.o.knownHosts}`,
      '-o', `ConnectTimeout=${this.o.connectTimeoutS}`,
      // A host that vanishes mid-run (frozen VM, cable) is noticed in ~6 s instead of TCP's minutes.
      '-o', 'ServerAliveInterval=2', '-o', 'ServerAliveCountMax=3',
      '-o', 'LogLevel=ERROR',
    ];
    if (h.identity) a.push('-i', h.identity, '-o', 'IdentitiesOnly=yes');
    return a;
  }

  /** The remote command line for a shell script: sh -c, through sudo when the host asks for it. */
  remote(script: string): string {
    return `${this.host.sudo ? 'sudo -n ' : ''}sh -c ${sq(script)}`;
  }

  /**
   * Starts the multiplexing master as a plain child of ours (not ControlPersist's daemon, which would escape
   * the registry): its pid is returned right after the fork so the caller can record it; ready() waits for it.
   */
  startMaster(): ChildProcess {
    if (!this.o.controlPath) throw new Error('ssh: no control path for a master');
    const args = [...this.base(), '-o', 'ControlMaster=yes', '-o', `ControlPath=${this.o.controlPath}`, '-o', 'ControlPersist=no', '-N', this.host.address];
    const m = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: markedEnv(this.o.runId) });
    this.master = m;
    return m;
  }

  /** Resolves once the master accepts sessions; throws the one-line failure if it exits first. */
  async ready(): Promise<void> {
    const m = this.master!;
    let stderr = '';
    m.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + (this.o.connectTimeoutS + 5) * 1000;
    while (Date.now() < deadline) {
      if (m.exitCode !== null || m.signalCode !== null) break;
      const r = await runCommand('ssh', ['-o', `ControlPath=${this.o.controlPath}`, '-O', 'check', this.host.address], { timeoutMs: 2000 });
      if (r.exitCode === 0) return;
      await sleep(30);
    }
    if (m.exitCode === null) m.kill('SIGKILL');
    await sleep(20);
    throw envError(sshFailure(this.host, stderr || 'connection timed out', this.o));
  }

  /** Closes the master (every session through it ends with it). */
  async stopMaster(): Promise<void> {
    const m = this.master;
    if (!m || m.exitCode !== null || m.signalCode !== null) return;
    const exited = new Promise<void>((r) => m.once('exit', () => r()));
    await runCommand('ssh', ['-o', `ControlPath=${this.o.controlPath}`, '-O', 'exit', this.host.address], { timeoutMs: 3000 });
    if (!(await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]))) m.kill('SIGKILL');
  }

  /** Runs a script on the host and waits; ssh's own failure (255) becomes an environment error naming the host. */
  async run(script: string, opts: { input?: string; timeoutMs?: number; mux?: boolean } = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.o.commandTimeoutS * 1000;
    const r = await runCommand('ssh', [...this.args(opts.mux ?? true), this.host.address, this.remote(script)], {
      timeoutMs,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    if (r.exitCode === 255 || (r.exitCode !== 0 && /^sudo: /m.test(r.stderr))) throw envError(sshFailure(this.host, r.stderr, this.o));
    if (r.exitCode === 127 && r.stderr.includes('ETIMEDOUT')) throw envError(`ssh host ${this.name}: command did not finish within ${timeoutMs / 1000} s: the host is overloaded or unreachable`);
    return r;
  }

  /** Like run, but a non-zero exit is an error quoting the script's first stderr line. */
  async must(script: string, what: string, input?: string): Promise<string> {
    const r = await this.run(script, input !== undefined ? { input } : {});
    if (r.exitCode !== 0) throw envError(`ssh host ${this.name}: ${what} failed (${r.exitCode}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
    return r.stdout;
  }

  /** A long-running session (node wrapper, log stream, guard): stdout and stderr piped to us. */
  session(script: string, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
    return spawn('ssh', [...this.args(), this.host.address, this.remote(script)], { stdio: [stdin, 'pipe', 'pipe'], env: markedEnv(this.o.runId) });
  }

  /** Copies local directories (packages) under `localParent` to `remoteParent/` with tar over one session. */
  async upload(localParent: string, names: string[], remoteParent: string): Promise<void> {
    const name = names.join(', ');
    const tar = spawn('tar', ['-C', localParent, '-cf', '-', ...names], { stdio: ['ignore', 'pipe', 'ignore'] });
    const ssh = spawn('ssh', [...this.args(), this.host.address, this.remote(`mkdir -p ${sq(remoteParent)} && tar -C ${sq(remoteParent)} -xf -`)], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    ssh.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stdout!.pipe(ssh.stdin!);
    const code = await new Promise<number>((r) => ssh.once('exit', (c) => r(c ?? 1)));
    if (code !== 0) throw envError(`ssh host ${this.name}: upload of ${name} to ${remoteParent} failed: ${stderr.trim().split('\n').pop() ?? code}`);
  }
}
