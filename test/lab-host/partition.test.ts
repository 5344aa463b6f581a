// Host-lab network faults (root): iptables owner + connmark rules cut loopback links between etcd nodes.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostChain } from '../../src/lab/host.js';
import { put } from '../../src/system/etcd-api.js';
import { startCluster, type Fixture } from '../system/fixture.js';
import { eventually } from '../support/process.js';

const root = process.getuid?.() === 0;
const rulesOf = (chain: string): string[] => execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((l) => l.includes(chain));

describe.skipIf(!root)('host lab partitions (root)', () => {
  let f: Fixture;
  let chain = '';
  beforeAll(async () => {
    f = await startCluster(3);
    chain = hostChain(f.lab.runId);
  });
  afterAll(async () => {
    await f?.close();
    // The run's chain and the jump to it are gone.
    expect(rulesOf(chain)).toEqual([]);
  });

  it('runs every node as its own uid and installs the run chain first in OUTPUT', () => {
    const uids = f.lab.nodes.map((n) => n.uid);
    expect(new Set(uids).size).toBe(3);
    for (const n of f.lab.nodes) {
      const status = execFileSync('cat', [`/proc/${f.cluster.pid(n.name)}/status`], { encoding: 'utf8' });
      expect(status).toMatch(new RegExp(`Uid:\\s+${n.uid}\\s`));
    }
    expect(execFileSync('iptables', ['-w', '-S', 'OUTPUT'], { encoding: 'utf8' })).toContain(`-j ${chain}`);
    expect(f.registry.resources().some((r) => r.kind === 'iptables-chain' && r.chain === chain)).toBe(true);
  });

  it('isolating the leader elects a new leader among the majority; heal returns health', async () => {
    const old = (await f.cluster.leader())!;
    const others = f.cluster.nodes.filter((n) => n !== old);
    await f.lab.net.partition({ [old]: others, ...Object.fromEntries(others.map((o) => [o, [old]])) });
    // 2 drop rules per directed link, 4 directed links.
    expect(rulesOf(chain).filter((l) => l.includes('DROP'))).toHaveLength(8);
    const next = await eventually(async () => {
      const l = await f.cluster.leader();
      return l && l !== old ? l : undefined;
    }, 10_000, 'a new leader in the majority');
    expect(others).toContain(next);
    // The majority accepts writes while the old leader is cut off.
    await put(f.cluster.clientUrl(next), 'during-partition', 'x', 5000);
    await f.lab.net.heal();
    expect(rulesOf(chain).filter((l) => l.includes('DROP'))).toEqual([]);
    await f.cluster.waitHealthy(15_000);
    await eventually(async () => {
      const s = await f.cluster.status(old);
      const l = await f.cluster.leader();
      return s?.leaderId && l ? true : undefined;
    }, 15_000, `${old} to rejoin`);
  });

  it('a one-way drop (leader hears nothing from followers) also deposes it: replies on connections the leader dialed are dropped too', async () => {
    const old = (await f.cluster.leader())!;
    const others = f.cluster.nodes.filter((n) => n !== old);
    await f.lab.net.partition({ [old]: others });
    try {
      const next = await eventually(async () => {
        const l = await f.cluster.leader();
        return l && l !== old ? l : undefined;
      }, 15_000, 'leadership to leave the deaf leader');
      expect(others).toContain(next);
    } finally {
      await f.lab.net.heal();
    }
    await f.cluster.waitHealthy(15_000);
  });

  it('refuses delay and bandwidth on loopback with a message naming the fix', async () => {
    expect(f.lab.net.capabilities.has('delay')).toBe(false);
    expect(f.lab.net.missing('delay')).toMatch(/--lab netns/);
    await expect(f.lab.net.bandwidth(['n1'], 1000)).rejects.toThrow(/--lab netns/);
    expect(f.lab.net.capabilities.has('loss')).toBe(true);
  });
});
