// Without root the host lab still runs etcd and process faults, and refuses network faults with the fix named.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/src/', import.meta.url));
const SCRIPT = `
const { HostLab } = await import('${dist}lab/host.js');
const { RunLedger, newRunId } = await import('${dist}lab/ledger.js');
const { EtcdSystem } = await import('${dist}system/etcd.js');
const { mkdtempSync, rmSync } = await import('node:fs');
const runId = newRunId(); const registry = RunLedger.create(runId, 'host');
const lab = new HostLab({ runId, nodeCount: 3, registry, ports: new EtcdSystem().ports });
const dir = mkdtempSync('/tmp/fl-nr-');
const out = {};
try {
  await lab.up();
  out.caps = [...lab.net.capabilities]; out.missing = lab.net.missing('partition'); out.uids = lab.nodes.map((n) => n.uid ?? null);
  const c = await new EtcdSystem().createCluster({ lab, runDir: dir, t0: process.hrtime.bigint(), settings: { heartbeatMs: 50, electionMs: 500, preVote: true } });
  try {
    await c.start(); out.leader = await c.leader();
    await c.kill(out.leader); await c.restart(out.leader); await c.waitHealthy(10000); out.restarted = true;
    out.partition = await lab.net.partition({ n1: ['n2'] }).then(() => 'applied', (e) => e.message);
  } finally { await c.teardown(); }
} finally { await lab.down(); out.release = await registry.release(); rmSync(dir, { recursive: true, force: true }); }
console.log(JSON.stringify(out));
`;

describe.skipIf(process.getuid?.() !== 0)('host lab as an unprivileged user (run via setpriv from root)', () => {
  it('runs a cluster and process faults, refuses partitions naming root as the fix', async () => {
    const { stdout } = await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', SCRIPT], { cwd: '/tmp' });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out['caps']).toEqual([]);
    expect(out['uids']).toEqual([null, null, null]);
    expect(out['leader']).toMatch(/^n[123]$/);
    expect(out['restarted']).toBe(true);
    const why = 'host lab network faults need root (iptables): run faultline as root, or use only process faults';
    expect(out['missing']).toBe(why);
    expect(out['partition']).toBe(why);
    expect(out['release']).toEqual([]);
  });
});
