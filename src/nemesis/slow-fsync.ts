// Slow disk by syscall delay: strace attaches to a node and delays every fsync/fdatasync; detaching ends it.
// On the ssh lab strace runs on the node's host, through the lab.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markedEnv } from '../lab/marker.js';
import type { Json } from '../history/op.js';
import { sleep } from '../lab/exec.js';
import { processStartTime, type RunLedger } from '../lab/ledger.js';
import { envError } from '../util/errors.js';
import type { Nemesis, NemesisContext, NemesisDefinition, TargetSpec } from './nemesis.js';
import { targetOf } from './process.js';
import { resolveTargets, targetFromOptions } from './targets.js';
import { makeDirs } from '../util/dirs.js';

interface Attachment {
  node: string;
  pid: number;
  strace: ChildProcess;
  exited: Promise<void>;
  /** On an SSH host: the node's tracers as that host's /proc tells them. */
  remoteTracers?: () => Promise<number[]>;
}

/** Tracer pids of every thread of a node on its host (the ssh lab), read through the lab. */
async function remoteTracers(ctx: NemesisContext, node: string, pid: number): Promise<number[]> {
  const r = await ctx.lab.exec(node, 'sh', ['-c', `cat /proc/${pid}/task/*/status 2>/dev/null | grep TracerPid`]);
  return [...r.stdout.matchAll(/TracerPid:\s*(\d+)/g)].map((m) => Number(m[1]));
}

async function untilAsync(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await sleep(50);
  }
  return cond();
}

/** Pids of every thread's tracer: attached when all threads name the strace pid. */
function tracers(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const m = /TracerPid:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    });
  } catch {
    return [];
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await sleep(10);
  }
  return cond();
}

/** strace's own words when it cannot attach (not root, ptrace_scope) are the most useful error. */
function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

class SlowFsyncNemesis implements Nemesis {
  readonly name = 'slow-fsync';
  readonly fs = ['start-slow-fsync', 'stop-slow-fsync'] as const;
  private ctx: NemesisContext | undefined;
  private attached: Attachment[] = [];
  private seq = 0;

  constructor(
    private readonly target: TargetSpec,
    private readonly delayMs: number,
  ) {}

  async setup(ctx: NemesisContext): Promise<void> {
    this.ctx = ctx;
  }

  private registry(): RunLedger | undefined {
    return this.ctx?.lab.registry;
  }

  private async attach(ctx: NemesisContext, node: string, pid: number): Promise<Attachment> {
    const usec = Math.round(this.delayMs * 1000);
    const dir = join(ctx.runDir, 'nodes', node);
    makeDirs(dir);
    const out = join(dir, `strace-${++this.seq}.log`);
    const args = ['-f', '-qq', '-p', String(pid), '-e', 'trace=fdatasync,fsync',
      '-e', `inject=fdatasync:delay_enter=${usec}`, '-e', `inject=fsync:delay_enter=${usec}`, '-o', out];
    if (ctx.lab.kind === 'ssh') return this.attachRemote(ctx, node, pid, args, join(dir, `strace-${this.seq}.err.log`));
    // Own process group so a terminal's Ctrl-C does not detach it behind the harness's back.
    const strace = spawn('strace', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: markedEnv(ctx.lab.runId) });
    let stderr = '';
    strace.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => {
      strace.once('exit', () => resolve());
      strace.once('error', (e) => {
        stderr += e.message;
        resolve();
      });
    });
    const spid = strace.pid;
    if (spid === undefined) {
      await exited;
      throw envError(`slow-fsync: cannot run strace (${lastLine(stderr)}): install it (apt-get install strace)`);
    }
    this.registry()?.add({ kind: 'process', pid: spid, startTime: processStartTime(spid) ?? '', what: `strace ${node}` });
    const a: Attachment = { node, pid, strace, exited };
    void exited.then(() => this.registry()?.forget((r) => r.kind === 'process' && r.pid === spid));
    // The fault is in effect only once every thread of the node is traced.
    const ok = await until(() => strace.exitCode === null && tracers(pid).length > 0 && tracers(pid).every((t) => t === spid), 5000);
    if (!ok) {
      await this.detach(a);
      throw envError(`slow-fsync: strace could not attach to ${node} (pid ${pid}): ${lastLine(stderr) || 'timed out'} (needs root or ptrace permission)`);
    }
    return a;
  }

  /** The node is on another machine: strace runs there, started by the lab, and is checked through it. */
  private async attachRemote(ctx: NemesisContext, node: string, pid: number, args: string[], errLog: string): Promise<Attachment> {
    const strace = ctx.lab.spawn(node, 'strace', args, { logFile: errLog });
    let failure = '';
    const exited = new Promise<void>((resolve) => {
      strace.once('exit', () => resolve());
      strace.once('error', (e) => {
        failure = e.message;
        resolve();
      });
    });
    const started = await Promise.race([new Promise<boolean>((r) => strace.once('spawn', () => r(true))), exited.then(() => false)]);
    if (!started) throw envError(`slow-fsync: ${failure || `strace exited at once on ${node}'s host (see ${errLog})`}`);
    const a: Attachment = { node, pid, strace, exited, remoteTracers: () => remoteTracers(ctx, node, pid) };
    const ok = await untilAsync(async () => {
      const t = await a.remoteTracers!();
      return strace.exitCode === null && t.length > 0 && t.every((x) => x === strace.pid);
    }, 8000);
    if (!ok) {
      await this.detach(a);
      throw envError(`slow-fsync: strace could not attach to ${node} (pid ${pid}) on its host (see ${errLog}; needs root or ptrace permission there)`);
    }
    return a;
  }

  /** SIGINT makes strace detach cleanly, leaving the node running at full speed. */
  private async detach(a: Attachment): Promise<boolean> {
    if (a.strace.exitCode === null && a.strace.signalCode === null) a.strace.kill('SIGINT');
    if (!(await Promise.race([a.exited.then(() => true), sleep(3000).then(() => false)]))) {
      a.strace.kill('SIGKILL');
      await a.exited;
    }
    if (a.remoteTracers) return untilAsync(async () => (await a.remoteTracers!()).every((t) => t === 0), 3000);
    return await until(() => tracers(a.pid).every((t) => t === 0), 2000);
  }

  async invoke(f: string, value: Json | undefined): Promise<Json> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('nemesis slow-fsync: invoke before setup');
    if (f === 'start-slow-fsync') {
      const nodes = (await resolveTargets(targetOf(value, this.target), ctx)).filter(
        (n) => ctx.cluster.isRunning(n) && !this.attached.some((a) => a.node === n),
      );
      const done: Json[] = [];
      for (const node of nodes) {
        const a = await this.attach(ctx, node, ctx.cluster.pid(node)!);
        this.attached.push(a);
        done.push({ node, pid: a.pid, stracePid: a.strace.pid ?? null });
      }
      return { nodes: done, delayMs: this.delayMs, syscalls: ['fsync', 'fdatasync'] };
    }
    if (f === 'stop-slow-fsync') return this.detachAll();
    throw new Error(`nemesis slow-fsync does not handle ${f}`);
  }

  private async detachAll(): Promise<Json> {
    const list = this.attached;
    this.attached = [];
    const out: Json[] = [];
    for (const a of list) out.push({ node: a.node, pid: a.pid, detached: await this.detach(a) });
    return { nodes: out };
  }

  async teardown(): Promise<void> {
    await this.detachAll();
  }
}

export const definitions: NemesisDefinition[] = [
  {
    name: 'slow-fsync',
    summary: 'delay every fsync/fdatasync of target nodes (default: leader) by delayMs (default 50) via strace',
    unavailable: () => (process.getuid?.() === 0 ? undefined : 'slow-fsync attaches strace to node processes: run faultline as root'),
    create: (options) => {
      const d = options['delayMs'] ?? 50;
      if (typeof d !== 'number' || !(d >= 0)) throw new Error(`slow-fsync: delayMs must be a number >= 0, got ${JSON.stringify(d)}`);
      return new SlowFsyncNemesis(targetFromOptions(options, 'leader'), d);
    },
  },
];
