// Choosing the store: with no etcd on PATH the default run falls back to antietcd from npm and says so; naming a
// missing store exits 4 with its install line; antietcd's durability switch decides the kill-all verdict.
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRecord } from '../../src/spec/record.js';
import { pathWithout } from '../support/path.js';
import type { DurabilityFigures } from '../../src/report/durability.js';
import { cli, leftovers, readRun } from './cli.js';

let dir: string;
/** PATH with every program this machine has except etcd and etcdctl (the environment of a fresh machine). */
let noEtcdPath: string;
/** PATH of a bare machine: none of the system packages faultline can use (etcd, iproute2, iptables, strace). */
let barePath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-systems-'));
  // Host-lab nodes run as their own uids and must reach their run directory.
  chmodSync(dir, 0o755);
  noEtcdPath = pathWithout(join(dir, 'bin'), ['etcd', 'etcdctl']);
  barePath = pathWithout(join(dir, 'bare'), ['etcd', 'etcdctl', 'ip', 'iptables', 'ip6tables', 'strace', 'zkServer.sh']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: noEtcdPath });

describe('system choice', () => {
  it('without etcd, the default run uses antietcd from npm, says so in one line, and ends with a verdict and a report', async () => {
    const results = join(dir, 'r1');
    const r = await cli(['run', '--lab', 'host', '--time-limit', '8', '--nemesis', 'pause', '--results', results, '--json'], env());
    expect([0, 1], r.stderr).toContain(r.code);
    expect(r.stderr).toMatch(/^faultline: etcd not installed \(apt-get install etcd-server etcd-client\); using antietcd 1\.3\.1 from npm$/m);
    const summary = JSON.parse(r.stdout) as { system: string; valid: unknown; reportPath: string; runId: string };
    expect(summary.system).toBe('antietcd');
    expect(typeof summary.valid).toBe('boolean');
    expect(existsSync(summary.reportPath)).toBe(true);
    const run = realpathSync(join(results, 'register', 'latest'));
    const test = JSON.parse(readFileSync(join(run, 'test.json'), 'utf8')) as TestRecord;
    expect(test.system).toBe('antietcd');
    expect(test.versions.system).toBe('1.3.1');
    expect(test.settings.options).toMatchObject({ staleRead: true, persistIntervalMs: 0 });
    expect(existsSync(join(run, 'nodes', 'n1', 'antietcd.log'))).toBe(true);
    // The Raft panel says plainly what antietcd does not expose instead of drawing empty charts.
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toMatch(/no \/metrics on antietcd: fsync and commit quantiles unavailable/);
    expect(leftovers(summary.runId)).toEqual([]);
  }, 120_000);

  it.skipIf(process.getuid?.() !== 0)('on a bare machine (no etcd, iproute2, iptables, strace) the default run still ends with a verdict and a report, saying what it fell back to', async () => {
    const results = join(dir, 'bare-results');
    const r = await cli(['run', '--time-limit', '10', '--results', results, '--json'], { ...process.env, PATH: barePath });
    expect([0, 1], r.stderr).toContain(r.code);
    expect(r.stderr).toMatch(/^faultline: etcd not installed \(apt-get install etcd-server etcd-client\); using antietcd 1\.3\.1 from npm$/m);
    expect(r.stderr).toMatch(/^faultline: the netns lab needs iproute2 and iptables \(apt-get install iproute2 iptables\); using the host lab$/m);
    expect(r.stderr).toMatch(/^faultline: the default nemesis needs network faults, which this lab cannot do \(.*iptables.*\); running pause and kill instead$/m);
    const summary = JSON.parse(r.stdout) as { system: string; lab: string; reportPath: string; runId: string; coverage?: { ran: Record<string, number> } };
    expect(summary).toMatchObject({ system: 'antietcd', lab: 'host' });
    expect(existsSync(summary.reportPath)).toBe(true);
    expect(Object.keys(summary.coverage?.ran ?? {}).every((f) => f === 'pause' || f === 'kill')).toBe(true);
    expect(leftovers(summary.runId)).toEqual([]);
  }, 120_000);

  it('--system etcd without etcd exits 4 with the install line, and creates nothing', async () => {
    const results = join(dir, 'r2');
    const r = await cli(['run', '--system', 'etcd', '--lab', 'host', '--results', results], env());
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe('etcd not found on PATH: install it (Debian/Ubuntu: apt-get install etcd-server etcd-client) or pass --bin DIR|PATH');
    expect(existsSync(results)).toBe(false);
  });

  it('unknown systems and options of another system are usage errors', async () => {
    const a = await cli(['run', '--system', 'zk9', '--results', join(dir, 'r3')]);
    expect(a.code).toBe(3);
    expect(a.stderr).toMatch(/unknown --system "zk9" \(known: etcd, antietcd/);
    const b = await cli(['run', '--system', 'etcd', '--stale-read', 'off', '--results', join(dir, 'r3')]);
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/--stale-read is an option of antietcd, not of etcd/);
    const c = await cli(['run', '--system', 'antietcd', '--pre-vote', 'on', '--results', join(dir, 'r3')]);
    expect(c.code).toBe(3);
    expect(c.stderr).toMatch(/antietcd \(TinyRaft\) has no pre-vote/);
    const d = await cli(['run', '--system', 'antietcd', '--etcd-bin', '/nowhere', '--results', join(dir, 'r3')]);
    expect(d.code).toBe(4);
    expect(d.stderr).toMatch(/--etcd-bin is deprecated/);
    expect(d.stderr).toMatch(/antietcd not found at \/nowhere/);
  });

  // --use-locks off in both arms: with locks on, antietcd 1.3.1 nodes often crash after the restart ("BUG: revision
  // N not locked", see bench:antietcd), which stops the load and hides the durability question this test asks.
  // Without locks antietcd's reads may also see writes not yet acknowledged (README: what the runs found), so the
  // durable arm's verdict may be invalid under load: durability is asserted on the final reads, not the verdict.
  it('antietcd kill-all: a 500 ms persist timer loses acknowledged writes; fsync on every change loses none', async () => {
    const durabilityOf = (runDir: string): DurabilityFigures => readRun(runDir).results.durability!;
    // 20 s instead of the spec's 14: three kills instead of two. A loss shows only on a key that no later write
    // overwrites, and twice in CI (runs 17 and 28) neither of two kills left one: 0 lost, verdict valid.
    const lossy = await cli(['run', 'kill-all', '--system', 'antietcd', '--use-locks', 'off', '--persist-interval', '500', '--lab', 'host', '--seed', '1', '--time-limit', '20', '--results', join(dir, 'r4'), '--json']);
    expect(lossy.code, lossy.stderr).toBe(1);
    const s = JSON.parse(lossy.stdout) as { runDir: string; runId: string };
    const lost = durabilityOf(s.runDir);
    expect(lost.keysAgreed).toBeGreaterThan(0);
    expect(lost.lostCount, JSON.stringify(lost)).toBeGreaterThan(0);
    expect(lossy.stderr).toMatch(/durability: the final reads agree on \d+ keys; \d+ acknowledged writes? (was|were) lost/);
    expect(leftovers(s.runId)).toEqual([]);
    const durable = await cli(['run', 'kill-all', '--system', 'antietcd', '--use-locks', 'off', '--lab', 'host', '--seed', '1', '--results', join(dir, 'r5'), '--json']);
    expect([0, 1], durable.stderr).toContain(durable.code);
    const d = JSON.parse(durable.stdout) as { runDir: string };
    const kept = durabilityOf(d.runDir);
    expect(kept.keysAgreed).toBeGreaterThan(0);
    expect(kept.lostCount, JSON.stringify(kept.lost)).toBe(0);
  }, 120_000);
});
