// Hosts for the ssh lab: --hosts and hosts files parsed strictly (usage errors naming the entry), sweep output read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOST_DIR, loadHostsFile, parseHostArg, sshConfigFor } from '../../src/lab/ssh-hosts.js';
import { parseSweep } from '../../src/lab/ssh-sweep.js';
import { FaultlineError } from '../../src/util/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fl-hosts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FaultlineError);
    expect((e as FaultlineError).code).toBe(3);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('ssh hosts', () => {
  it('reads [user@]address[:port], sudo unless root', () => {
    expect(parseHostArg('root@10.0.0.1')).toEqual({ address: '10.0.0.1', port: 22, user: 'root', sudo: false, dir: DEFAULT_HOST_DIR });
    expect(parseHostArg('ops@db1:2222')).toMatchObject({ address: 'db1', port: 2222, user: 'ops', sudo: true });
    expect(usage(() => parseHostArg('a@b@c'))).toMatch(/--hosts: "a@b@c" is not \[user@\]address\[:port\]/);
    expect(usage(() => parseHostArg('h:99999'))).toMatch(/port 99999 is not a TCP port/);
  });

  it('reads a hosts file with defaults, relative paths, and errors naming the entry', () => {
    const f = join(tmp, 'hosts.json');
    writeFileSync(join(tmp, 'id'), 'key');
    writeFileSync(f, JSON.stringify({ hosts: [{ address: '10.0.0.1', user: 'root', identity: 'id' }, { address: '10.0.0.2', port: 2200, sudo: true, dir: '/srv/fl' }], knownHosts: 'kh' }));
    const c = loadHostsFile(f);
    expect(c.hosts[0]).toEqual({ address: '10.0.0.1', port: 22, user: 'root', identity: join(tmp, 'id'), sudo: false, dir: DEFAULT_HOST_DIR });
    expect(c.hosts[1]).toMatchObject({ port: 2200, sudo: true, dir: '/srv/fl' });
    expect(c).toMatchObject({ knownHosts: join(tmp, 'kh'), hostKeyChecking: 'strict', connectTimeoutS: 5, commandTimeoutS: 30 });
    writeFileSync(f, JSON.stringify({ hosts: [{ address: '10.0.0.1' }, { port: 22 }] }));
    expect(usage(() => loadHostsFile(f))).toMatch(/hosts\[1\]: needs an "address"/);
    writeFileSync(f, JSON.stringify({ hosts: [{ address: '10.0.0.1', dir: 'relative' }] }));
    expect(usage(() => loadHostsFile(f))).toMatch(/hosts\[0\]: dir "relative" must be an absolute path/);
    writeFileSync(f, JSON.stringify({ hosts: [{ address: '10.0.0.1' }], hostKeyChecking: 'no' }));
    expect(usage(() => loadHostsFile(f))).toMatch(/hostKeyChecking must be "strict" or "accept-new"/);
    expect(usage(() => loadHostsFile(join(tmp, 'missing.json')))).toMatch(/no such file/);
  });

  it('needs a host of its own address per node', () => {
    expect(usage(() => sshConfigFor({ hosts: ['root@a', 'root@b'] }, 3))).toMatch(/3 nodes need 3 hosts, got 2 \(root@a, root@b\): add hosts or use --nodes 2/);
    expect(usage(() => sshConfigFor({ hosts: ['root@a', 'ops@a:2222'] }, 2))).toMatch(/a host of its own address/);
    expect(usage(() => sshConfigFor({}, 3))).toMatch(/--lab ssh needs hosts/);
  });

  it('reads the sweep script lines as one report per run', () => {
    const r = parseSweep('root@h1', ['removed process 12 (etcd n1)', 'removed iptables chain fl-ab-part', 'done ab', 'live cd', 'removed unrecorded process 99 of run ef', ''].join('\n'));
    expect(r).toEqual([
      { runId: 'ab', ownerAlive: false, removed: ['process 12 (etcd n1) on root@h1', 'iptables chain fl-ab-part on root@h1'], errors: [] },
      { runId: '(no record) on root@h1', ownerAlive: false, removed: ['unrecorded process 99 of run ef on root@h1'], errors: [] },
    ]);
  });
});
