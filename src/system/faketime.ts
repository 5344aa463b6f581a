// Per-node clock control through libfaketime: each node process starts under LD_PRELOAD with its own control
// file (FAKETIME_TIMESTAMP_FILE, read on every time call), so offsets and rates change while the node runs.
//
// What libfaketime does, measured on this machine (0.9.10, Node 20 and OpenJDK 17):
// - With FAKETIME_NO_CACHE=1 the file is re-read on every clock call: a change is seen by the very next
//   Date.now() / System.currentTimeMillis() (within one 20 ms sample in test/clock). The price is ~3.8 µs per
//   clock call instead of ~54 ns (FAKETIME_CACHE_DURATION=1 costs ~95 ns but delays a change by up to 1 s,
//   too slow for a strobe).
// - It fakes CLOCK_REALTIME and CLOCK_MONOTONIC alike: that is what makes a rate reach timers (election
//   timeouts, leases), and it also means a backward bump stalls the node's timers for as long as the jump
//   (Node's setInterval went silent for the 2 s of a -2 s bump). A real NTP step moves only the wall clock:
//   a bump here is harsher than Jepsen's settimeofday.
// - A rate `xR` applies from the process's start, not from the change: fake = S + (t - S)·R + off. So the
//   offset written is D + (t0 - S)(1 - R), which keeps the clock continuous at the change (S = our spawn time,
//   a few ms early: an error of ε(1 - R), ~5 ms measured). FAKETIME_XRESET would do this itself but ignored
//   plain offsets in our trials, so it is not used.
// - It creates /dev/shm/faketime_shm_<pid> and sem.faketime_sem_<pid> and removes them only on a clean exit:
//   a SIGKILLed or signalled node leaves both, so they are recorded and removed here; a sweep that kills a
//   node also removes the ones it has mapped (lab/proc.ts faketimeFilesOf), recorded or not.
// - Node aborts when its monotonic clock goes below the value it had at start ("Assertion failed: (now) >=
//   (timer_base())", seen on an antietcd node reset to real time 2 s after it was restarted with a +5 s offset).
//   So a (re)started node starts at real time (its rate is kept), and an offset that would take a node's
//   clock below its own start is refused with the reason instead of applied.
// The preload goes through /usr/bin/env so only the node loads it, not a wrapper (`ip netns exec`).
// On the ssh lab (FaketimeHosts) everything lives on the node's host: the control file in the node's mirrored
// directory (written through the lab's connection), the host's own library, and the shm files, which carry the
// remote pid and are recorded in the host's record by the node's start, so the run's teardown and
// `lab sweep --lab ssh` remove them; nothing of it is on this machine.
import { existsSync, rmSync, chmodSync } from 'node:fs';
import { writeAtomic } from '../util/atomic.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import type { RunLedger } from '../lab/ledger.js';
import type { FaketimeHosts } from '../lab/ssh.js';
import { shmFiles } from '../lab/proc.js';
import { FAKETIME_LIBS } from '../lab/ssh-remote.js';
import type { ChildProcess } from 'node:child_process';
import { makeDirs } from '../util/dirs.js';
import type { LaunchSpec } from './process-cluster.js';
import type { ClockControl } from './system.js';

/** Where Debian's libfaketime puts the preload library; FAULTLINE_LIBFAKETIME overrides it (tests use it to hide it). */
const CANDIDATES = FAKETIME_LIBS;

export const FAKETIME_HINT = 'apt-get install libfaketime';

/** The preload library, or undefined when libfaketime is not installed. */
export function libfaketime(): string | undefined {
  const override = process.env['FAULTLINE_LIBFAKETIME'];
  if (override !== undefined) return existsSync(override) ? override : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Why clock control is unavailable for a system whose nodes read time through libc, or undefined. */
export function faketimeMissing(system: string): string | undefined {
  return libfaketime() ? undefined : `clock control for ${system} needs libfaketime (${FAKETIME_HINT})`;
}

/** A node's clock: offset `offsetMs` from real time at `sinceMs` (epoch ms), running at `rate` since. */
interface NodeClock {
  offsetMs: number;
  rate: number;
  sinceMs: number;
  /** Real epoch ms the current process started: libfaketime's rate origin. */
  startMs: number;
  pids: number[];
}

/** The control-file line for an offset/rate given libfaketime's origin S (see the header comment). */
export function controlLine(offsetMs: number, rate: number, nowMs: number, startMs: number): string {
  const off = offsetMs + (nowMs - startMs) * (1 - rate);
  const secs = (off / 1000).toFixed(3);
  return `${off >= 0 ? '+' : ''}${secs} x${rate}\n`;
}

/** The offset from real time at `atMs` of a clock set to `offsetMs` at `sinceMs`, running at `rate`. */
export function offsetAt(c: { offsetMs: number; rate: number; sinceMs: number }, atMs: number): number {
  return c.offsetMs + (atMs - c.sinceMs) * (c.rate - 1);
}


/** A run's libfaketime control directory on this host: it carries the run id, so a sweep and a test can name it. */
export function clockDir(runId: string): string {
  return join(tmpdir(), `fl-${runId}-clock`);
}

/**
 * A lab's libfaketime clocks: on this machine for the host and netns labs; on the ssh lab on the nodes' hosts,
 * when every host has libfaketime (else none: the clock nemeses then refuse).
 */
export function clocksFor(lab: Lab, lib: string | undefined): FaketimeClocks | undefined {
  if (!lib) return undefined;
  if (lab.kind === 'host' || lab.kind === 'netns') return new FaketimeClocks(lab.runId, lab.registry, lib);
  const hosts = lab.kind === 'ssh' && 'faketimeHosts' in lab ? (lab as { faketimeHosts(): FaketimeHosts | undefined }).faketimeHosts() : undefined;
  return hosts ? new FaketimeClocks(lab.runId, lab.registry, lib, hosts) : undefined;
}

export class FaketimeClocks implements ClockControl {
  /** One directory per run holding every node's control file: recorded before it exists, removed at teardown. */
  readonly dir: string;
  private readonly clocks = new Map<string, NodeClock>();
  /** The last control-file write to each node's host (ssh lab): a clock change resolves once it is there. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    runId: string,
    private readonly registry: RunLedger | undefined,
    private readonly lib: string,
    private readonly hosts?: FaketimeHosts,
  ) {
    this.dir = clockDir(runId);
  }

  file(node: string): string {
    return this.hosts ? this.hosts.controlFile(node) : join(this.dir, `${node}.faketime`);
  }

  private ensureDir(): void {
    if (this.hosts || existsSync(this.dir)) return;
    if (!this.registry?.resources().some((r) => r.kind === 'dir' && r.path === this.dir)) this.registry?.add({ kind: 'dir', path: this.dir });
    makeDirs(this.dir);
    // Nodes of the host lab run as their own uids: they must read their file.
    chmodSync(this.dir, 0o755);
  }

  private write(node: string, line: string): void {
    if (this.hosts) {
      // In order per node: a later change must not be overtaken by an earlier one still on its way.
      // Started in this tick when nothing is pending, so the lab holds a node's start until its file is there.
      const prev = this.writes.get(node);
      const w = prev ? prev.catch(() => undefined).then(() => this.hosts!.writeControl(node, line)) : this.hosts.writeControl(node, line);
      this.writes.set(node, w);
      void w.catch(() => undefined).then(() => this.writes.get(node) === w && this.writes.delete(node));
      return;
    }
    const f = this.file(node);
    // Atomic: the node re-reads the file on every clock call and must never see half a line.
    writeAtomic(f, line, 0o644);
  }

  /**
   * The launch spec under libfaketime. A restarted node keeps its rate but starts at real time: carrying its
   * offset into the new process would let the next reset take the clock below the process's start.
   */
  wrap(node: string, spec: LaunchSpec): LaunchSpec {
    this.ensureDir();
    const now = Date.now();
    const old = this.clocks.get(node);
    const offsetMs = 0;
    const rate = old?.rate ?? 1;
    this.clocks.set(node, { offsetMs, rate, sinceMs: now, startMs: now, pids: old?.pids ?? [] });
    this.write(node, controlLine(offsetMs, rate, now, now));
    if (this.hosts) {
      // The ssh lab gives LD_PRELOAD to the node alone and records its shm files by the remote pid.
      return { ...spec, env: { ...spec.env, LD_PRELOAD: this.hosts.library(node), FAKETIME_TIMESTAMP_FILE: this.file(node), FAKETIME_NO_CACHE: '1' } };
    }
    const env = [`LD_PRELOAD=${this.lib}`, `FAKETIME_TIMESTAMP_FILE=${this.file(node)}`, 'FAKETIME_NO_CACHE=1'];
    return { ...spec, bin: '/usr/bin/env', args: [...env, spec.bin, ...spec.args] };
  }

  /** Records the shared-memory files libfaketime will create for this pid (same tick as the spawn). */
  launched(node: string, child: Pick<ChildProcess, 'pid' | 'once'> & { startTime?: string }, exited: Promise<void> | undefined): void {
    if (this.hosts) {
      // The remote pid arrives later ('spawn'); the host's record already holds its shm files.
      child.once('spawn', () => {
        const pid = child.pid;
        if (pid === undefined) return;
        const c = this.clocks.get(node);
        // libfaketime's rate origin is the remote start, reported here (not when the ssh start-up began).
        if (c && c.sinceMs === c.startMs) {
          const t = Date.now();
          Object.assign(c, { startMs: t, sinceMs: t });
        }
        c?.pids.push(pid);
        void exited?.then(() => this.hosts!.removeShm(node, pid, child.startTime ?? '').catch(() => undefined));
      });
      return;
    }
    const pid = child.pid;
    if (pid === undefined) return;
    const c = this.clocks.get(node);
    c?.pids.push(pid);
    for (const path of shmFiles(pid)) this.registry?.add({ kind: 'dir', path });
    void exited?.then(() => this.removeShm(pid));
  }

  private removeShm(pid: number): void {
    for (const path of shmFiles(pid)) {
      rmSync(path, { force: true });
      this.registry?.forget((r) => r.kind === 'dir' && r.path === path);
    }
  }

  async setClock(node: string, offsetMs: number, rate: number): Promise<void> {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`clock rate must be a positive number, got ${rate}`);
    const c = this.clocks.get(node);
    if (!c) throw new Error(`node ${node} was not started under libfaketime`);
    const now = Date.now();
    // Its clock read (now - startMs) + offset since the process started at real time: never below its start.
    const uptime = now - c.startMs;
    if (offsetMs < -uptime) throw new Error(`${node} started ${uptime} ms ago: an offset of ${offsetMs} ms would take its clock before its own start (Node aborts on that); not applied`);
    Object.assign(c, { offsetMs, rate, sinceMs: now });
    this.write(node, controlLine(offsetMs, rate, now, c.startMs));
    await this.writes.get(node);
  }

  resetClock(node: string): Promise<void> {
    return this.setClock(node, 0, 1);
  }

  /** The node's offset from real time now (ms) and its rate, as set. */
  current(node: string, atMs = Date.now()): { offsetMs: number; rate: number } {
    const c = this.clocks.get(node);
    return c ? { offsetMs: offsetAt(c, atMs), rate: c.rate } : { offsetMs: 0, rate: 1 };
  }

  /** After the nodes are gone: control files and any shared memory a killed node left behind. */
  teardown(): void {
    // ssh lab: the control files are in the run's directory on each host and the shm files in the host's
    // record: the lab's teardown (or a sweep) removes both there.
    if (this.hosts) return;
    for (const c of this.clocks.values()) for (const pid of c.pids) this.removeShm(pid);
    rmSync(this.dir, { recursive: true, force: true });
    this.registry?.forget((r) => r.kind === 'dir' && r.path === this.dir);
  }
}
