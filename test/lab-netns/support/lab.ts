// Test support for the netns lab: a lab with probe servers in every node, and leak checks on the host.
import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { PortPlan } from '../../../src/lab/lab.js';
import { NetnsLab } from '../../../src/lab/netns.js';
import { isAlive, newRunId, RunLedger } from '../../../src/lab/ledger.js';

export const TOOL = fileURLToPath(new URL('./nettool.mjs', import.meta.url));
export const PROBE_PORT = 7000;
/** The probe server listens on PROBE_PORT and PROBE_PORT + 1; partitions cut every address, not ports. */
export const PROBE_PLAN = { ports: { client: PROBE_PORT }, peer: ['client'] };
export const isRoot = process.getuid?.() === 0;

/** Processes a registry currently records (to check after teardown that they are gone). */
export function recordedProcesses(registry: RunLedger): { pid: number; startTime: string }[] {
  return registry.resources().flatMap((r) => (r.kind === 'process' ? [{ pid: r.pid, startTime: r.startTime }] : []));
}

/** A netns lab with the ports of `plan` (the probe servers' by default; a system's for its nodes). */
export async function startLab(nodeCount: number, plan: PortPlan = PROBE_PLAN): Promise<{ lab: NetnsLab; registry: RunLedger }> {
  const runId = newRunId();
  const registry = RunLedger.create(runId, 'netns');
  const lab = new NetnsLab({ runId, nodeCount, registry, ports: plan });
  return { lab, registry };
}

/** Starts the probe server in every node and waits until the harness can reach each one. */
export async function startProbes(lab: NetnsLab): Promise<void> {
  for (const n of lab.nodes) lab.spawn(n.name, process.execPath, [TOOL, 'serve', String(PROBE_PORT)]);
  for (const n of lab.nodes) {
    const deadline = Date.now() + 10_000;
    while (!(await reachable(n.ip, PROBE_PORT + 1))) {
      if (Date.now() > deadline) throw new Error(`probe server on ${n.name} did not come up`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Runs the probe tool on a node and parses its one JSON line. */
export async function probe<T>(lab: NetnsLab, node: string, ...args: (string | number)[]): Promise<T> {
  const r = await lab.exec(node, process.execPath, [TOOL, ...args.map(String)]);
  if (r.exitCode !== 0) throw new Error(`nettool ${args.join(' ')} on ${node} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/** UDP datagrams each source address has sent to `node`'s probe server, asked from the (unpartitioned) harness. */
export function udpCounts(lab: NetnsLab, node: string): Promise<Record<string, number>> {
  const ip = lab.nodes.find((n) => n.name === node)!.ip;
  return new Promise((resolve, reject) => {
    let buf = '';
    const s = createConnection({ host: ip, port: PROBE_PORT + 1 });
    s.on('data', (d) => (buf += d.toString()));
    s.on('end', () => resolve(JSON.parse(buf) as Record<string, number>));
    s.on('error', reject);
  });
}

/** Everything on the host that carries this run id (namespaces, links, iptables text), and any of `pids` alive. */
export function leftovers(runId: string, pids: { pid: number; startTime: string }[] = []): string[] {
  const found: string[] = [];
  const sh = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' });
    } catch {
      return '';
    }
  };
  for (const l of sh('ip', ['netns', 'list']).split('\n')) if (l.includes(runId)) found.push(`netns ${l}`);
  for (const l of sh('ip', ['-o', 'link']).split('\n')) if (l.includes(runId)) found.push(`link ${l.slice(0, 60)}`);
  for (const l of sh('iptables-save', []).split('\n')) if (l.includes(runId)) found.push(`iptables ${l}`);
  for (const p of pids) if (isAlive(p.pid, p.startTime)) found.push(`process ${p.pid}`);
  return found;
}
