// Sweeping SSH hosts: one run's leftovers (from the local registry, owner known dead) or every dead run's on a
// list of hosts, judged by each host's own records, so a fresh control node can clean up after a crashed one.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { homedir } from 'node:os';
import type { Resource, SweepReport } from './resource.js';
import { SshConnection } from './ssh-conn.js';
import type { SshConfig } from './ssh-hosts.js';
import { hostName } from './ssh-hosts.js';
import { sweepScript } from './ssh-remote.js';
import { envError } from '../util/errors.js';

type HostResource = Extract<Resource, { kind: 'ssh-host' }>;

/** Removes everything run `r.runId` left on one host (its owner is gone: the guard is not consulted). */
export async function sweepHostRun(r: HostResource): Promise<void> {
  // A sandbox that is gone took its hosts with it (its down() swept them first): nothing is left to reach.
  if (r.host.sandbox !== undefined && !existsSync(r.host.sandbox)) return;
  // The run's copy of known_hosts goes with the run; sweeping later falls back to the user's own file.
  const knownHosts = existsSync(r.knownHosts) ? r.knownHosts : join(homedir(), '.ssh', 'known_hosts');
  const conn = new SshConnection(r.host, { runId: r.runId, knownHosts, hostKeyChecking: r.hostKeyChecking, connectTimeoutS: 5, commandTimeoutS: 60 });
  const out = await conn.run(sweepScript(r.host.dir, r.runId, true), { mux: false });
  if (out.exitCode !== 0) throw new Error(`ssh host ${conn.name}: sweep failed: ${out.stderr.trim().split('\n').pop() ?? out.exitCode}`);
}

/**
 * `lab sweep --lab ssh --hosts ...`: on every host, removes the runs whose guard (the session of their control
 * node) is gone, or every run with `all`. One report per run per host.
 */
export async function sweepHosts(config: SshConfig, all: boolean): Promise<SweepReport[]> {
  const knownHosts = config.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
  if (!existsSync(knownHosts)) writeFileSync(join(tmpdir(), 'faultline-empty-known-hosts'), '');
  const reports = await Promise.all(
    config.hosts.map(async (h) => {
      const conn = new SshConnection(h, { runId: 'sweep', knownHosts: existsSync(knownHosts) ? knownHosts : join(tmpdir(), 'faultline-empty-known-hosts'), hostKeyChecking: config.hostKeyChecking, connectTimeoutS: config.connectTimeoutS, commandTimeoutS: 120 });
      const r = await conn.run(sweepScript(h.dir, undefined, all), { mux: false });
      if (r.exitCode !== 0) throw envError(`ssh host ${hostName(h)}: sweep failed: ${r.stderr.trim().split('\n').pop() ?? r.exitCode}`);
      return parseSweep(hostName(h), r.stdout);
    }),
  );
  return reports.flat();
}

/** The sweep script's lines ("removed ...", "done ID", "live ID") as reports per run. */
export function parseSweep(host: string, stdout: string): SweepReport[] {
  const byRun = new Map<string, SweepReport>();
  let removed: string[] = [];
  const orphans: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('removed unrecorded process') && / of run /.test(line)) orphans.push(`${line.slice('removed '.length)} on ${host}`);
    else if (line.startsWith('removed ')) removed.push(`${line.slice('removed '.length)} on ${host}`);
    else if (line.startsWith('done ')) {
      const id = line.slice(5).trim();
      byRun.set(id, { runId: id, ownerAlive: false, removed, errors: [] });
      removed = [];
    } else if (line.startsWith('live ')) removed = [];
  }
  if (orphans.length > 0) byRun.set(`orphans@${host}`, { runId: `(no record) on ${host}`, ownerAlive: false, removed: orphans, errors: [] });
  return [...byRun.values()];
}
