// A process on an SSH host, shaped like the ChildProcess the systems already handle: pid is the remote pid,
// kill() signals it over SSH (in order), 'exit' fires once it has ended and its logs have arrived.
import { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { SshConnection } from './ssh-conn.js';
import { signalScript } from './ssh-remote.js';

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([k, v]) => [v, k as NodeJS.Signals]));

/** Hints for the commands the lab starts, when a host lacks one. */
const INSTALL: Record<string, string> = {
  etcd: 'apt-get install etcd-server',
  node: 'install Node.js 20 there (apt-get install nodejs, or nodesource)',
  strace: 'apt-get install strace',
  java: 'apt-get install default-jre-headless',
};

export class RemoteProcess extends ChildProcess {
  // Written as the remote side reports; ChildProcess declares them readonly for its own reasons.
  declare pid: number | undefined;
  declare exitCode: number | null;
  declare signalCode: NodeJS.Signals | null;
  declare killed: boolean;
  startTime: string | undefined;
  /** Signals in the order given: SIGSTOP then SIGCONT must not overtake each other on two connections. */
  private signals: Promise<unknown> = Promise.resolve();
  private ended = false;
  /** Extra log streams (files the node writes itself): 'exit' waits for them to drain. */
  readonly streams: Promise<void>[] = [];

  constructor(
    private readonly conn: SshConnection,
    readonly command: string,
  ) {
    super();
    this.pid = undefined;
    this.exitCode = null;
    this.signalCode = null;
  }

  override kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const name = typeof signal === 'number' ? (SIGNAL_NAMES.get(signal) ?? 'SIGTERM') : signal;
    this.killed = true;
    this.signals = this.signals.then(async () => {
      await this.started;
      if (this.pid === undefined || this.startTime === undefined || this.ended) return;
      await this.conn.run(signalScript(this.pid, this.startTime, name)).catch(() => undefined);
    });
    return true;
  }

  private markStarted: () => void = () => undefined;
  /** Resolves once the pid is known, or the start failed. */
  readonly started: Promise<void> = new Promise((r) => (this.markStarted = r));

  /** The start-up session reported the remote pid. */
  onPid(pid: number, startTime: string): void {
    this.pid = pid;
    this.startTime = startTime;
    this.markStarted();
    this.emit('spawn');
  }

  /** The start failed before the process existed (missing binary, ssh failure). */
  fail(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.markStarted();
    this.exitCode = 127;
    this.emit('error', new Error(message));
  }

  /** The wrapper's "exit RC" (128+N for signal N), or null when the session was lost before it said. */
  async onExit(rc: number | null): Promise<void> {
    if (this.ended) return;
    // The node's own log streams end by themselves once the pid is gone (tail --pid); wait a bounded while.
    await Promise.race([Promise.all(this.streams), new Promise((r) => setTimeout(r, 3000).unref())]);
    if (this.ended) return;
    this.ended = true;
    this.markStarted();
    const sig = rc !== null && rc > 128 ? SIGNAL_NAMES.get(rc - 128) : undefined;
    if (sig) this.signalCode = sig;
    else this.exitCode = rc ?? 255;
    this.emit('exit', this.exitCode, this.signalCode);
    this.emit('close', this.exitCode, this.signalCode);
  }

  /** The one-line reason a command is missing on a host, with the fix. */
  static missing(host: string, name: string): string {
    return `ssh host ${host}: ${name} not found (neither at the harness's path nor on the host's PATH): ${INSTALL[name] ?? `install ${name} there`}`;
  }
}
