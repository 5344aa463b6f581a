// The netns lab on real namespaces: what up/down create and remove, and that each network fault does what it says.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetnsLab } from '../../src/lab/netns.js';
import type { RunLedger } from '../../src/lab/ledger.js';
import { isRoot, leftovers, probe, PROBE_PORT, recordedProcesses, startLab, startProbes, udpCounts } from './support/lab.js';

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });

describe.skipIf(!isRoot)('netns lab up/down', () => {
  it('creates one namespace per node on a bridge and removes all of it on down', async () => {
    const { lab, registry } = await startLab(3);
    try {
      const t0 = performance.now();
      await lab.up();
      const upMs = performance.now() - t0;
      const id = lab.runId;
      const nss = sh('ip', ['netns', 'list']);
      for (let i = 1; i <= 3; i++) expect(nss).toContain(`fl-${id}-n${i}`);
      const links = sh('ip', ['-o', 'link']);
      expect(links).toContain(`flbr${id}`);
      for (let i = 1; i <= 3; i++) expect(links).toMatch(new RegExp(`fl${id}n${i}@.* master flbr${id}`));
      // Inside a node: lo up, eth0 with its address, the run's chains hooked into INPUT/OUTPUT.
      const addr = (await lab.exec('n2', 'ip', ['-o', '-4', 'addr'])).stdout;
      expect(addr).toContain(`eth0    inet ${lab.nodes[1]!.ip}/24`);
      expect(addr).toMatch(/lo +inet 127\.0\.0\.1/);
      const rules = (await lab.exec('n2', 'iptables-save', [])).stdout;
      expect(rules).toContain(`-A INPUT -j fl-${id}-part`);
      expect(rules).toContain(`-A OUTPUT -j fl-${id}-delay`);
      // Every resource was recorded: 3 namespaces, bridge + 3 veths, 9 chains, the subnet claim.
      const kinds = registry.resources().map((r) => r.kind);
      expect(kinds.filter((k) => k === 'netns')).toHaveLength(3);
      expect(kinds.filter((k) => k === 'link')).toHaveLength(4);
      expect(kinds.filter((k) => k === 'iptables-chain')).toHaveLength(9);
      // The subnet is one no host route covered before up (it is the bridge's route now).
      const route = sh('ip', ['-4', 'route', 'show', `${lab.subnet}.0/24`]);
      expect(route).toContain(`flbr${id}`);
      expect(route.trim().split('\n')).toHaveLength(1);
      await lab.up(); // idempotent
      const t1 = performance.now();
      await lab.down();
      const downMs = performance.now() - t1;
      console.log(`netns lab (3 nodes): up ${upMs.toFixed(0)} ms, down ${downMs.toFixed(0)} ms`);
      expect(leftovers(id)).toEqual([]);
      expect(registry.resources()).toEqual([]);
      await lab.down(); // safe twice
    } finally {
      await lab.down();
      await registry.release();
    }
  });
});

describe.skipIf(!isRoot)('netns lab network faults', () => {
  let lab: NetnsLab;
  let registry: RunLedger;
  const ip = (n: string): string => lab.nodes.find((x) => x.name === n)!.ip;

  beforeAll(async () => {
    ({ lab, registry } = await startLab(3));
    await lab.up();
    await startProbes(lab);
  });

  afterAll(async () => {
    const procs = recordedProcesses(registry);
    await lab.down();
    await registry.release();
    expect(leftovers(lab.runId, procs)).toEqual([]);
  });

  const connect = (from: string, to: string, port = PROBE_PORT) =>
    probe<{ result: string; ms: number }>(lab, from, 'connect', ip(to), port, 1500);

  it('partition drops exactly the grudged directions (timeouts, not refusals), heal restores', async () => {
    // n1 and n3 are cut from each other; n2 reaches both.
    await lab.net.partition({ n1: ['n3'], n3: ['n1'] });
    const [a, b, c, d, closed] = await Promise.all([
      connect('n1', 'n3'),
      connect('n3', 'n1'),
      connect('n1', 'n2'),
      connect('n2', 'n3'),
      connect('n1', 'n2', PROBE_PORT + 5),
    ]);
    expect(a.result).toBe('timeout');
    expect(b.result).toBe('timeout');
    expect(c.result).toBe('ok');
    expect(d.result).toBe('ok');
    // The probe does tell a refusal from a timeout: an unpartitioned closed port is refused at once.
    expect(closed.result).toBe('ECONNREFUSED');
    await lab.net.heal();
    expect((await connect('n1', 'n3')).result).toBe('ok');
  });

  it('a one-way grudge drops one direction only (UDP counts at each receiver)', async () => {
    const before = { n1: await udpCounts(lab, 'n1'), n2: await udpCounts(lab, 'n2') };
    // n2 drops what n1 sends; n1 still hears n2.
    await lab.net.partition({ n2: ['n1'] });
    try {
      await probe(lab, 'n1', 'udp', ip('n2'), PROBE_PORT, 50);
      await probe(lab, 'n2', 'udp', ip('n1'), PROBE_PORT, 50);
      const after = { n1: await udpCounts(lab, 'n1'), n2: await udpCounts(lab, 'n2') };
      expect((after.n2[ip('n1')] ?? 0) - (before.n2[ip('n1')] ?? 0)).toBe(0);
      expect((after.n1[ip('n2')] ?? 0) - (before.n1[ip('n2')] ?? 0)).toBe(50);
    } finally {
      await lab.net.heal();
    }
  });

  it('loss drops about p of the packets on the chosen link only', async () => {
    const p = 0.3;
    const n = 2000;
    const before = await udpCounts(lab, 'n2');
    const before3 = await udpCounts(lab, 'n3');
    await lab.net.loss([{ from: 'n1', to: 'n2' }], p);
    try {
      await probe(lab, 'n1', 'udp', ip('n2'), PROBE_PORT, n);
      await probe(lab, 'n1', 'udp', ip('n3'), PROBE_PORT, 200);
    } finally {
      await lab.net.clearShaping();
    }
    const got = (await udpCounts(lab, 'n2'))[ip('n1')]! - (before[ip('n1')] ?? 0);
    const got3 = (await udpCounts(lab, 'n3'))[ip('n1')]! - (before3[ip('n1')] ?? 0);
    const measured = 1 - got / n;
    console.log(`loss p=${p}: measured ${measured.toFixed(3)} over ${n} datagrams`);
    // Binomial sd at n=2000 is ~0.01; 0.05 is five of them.
    expect(Math.abs(measured - p)).toBeLessThan(0.05);
    expect(got3).toBe(200);
  });

  it('bandwidth limits a transfer to about the rate, clearShaping lifts it', async () => {
    const kbit = 4000;
    const bytes = 500_000;
    await lab.net.bandwidth(['n1'], kbit);
    let limited: { ms: number };
    try {
      limited = await probe<{ ms: number }>(lab, 'n1', 'xfer', ip('n2'), PROBE_PORT, bytes);
    } finally {
      await lab.net.clearShaping();
    }
    const free = await probe<{ ms: number }>(lab, 'n1', 'xfer', ip('n2'), PROBE_PORT, bytes);
    const measuredKbit = (bytes * 8) / limited.ms;
    console.log(`bandwidth ${kbit} kbit/s: measured ${measuredKbit.toFixed(0)} kbit/s (${limited.ms.toFixed(0)} ms), unlimited ${free.ms.toFixed(0)} ms`);
    expect(measuredKbit).toBeGreaterThan(kbit * 0.7);
    expect(measuredKbit).toBeLessThan(kbit * 1.2);
    expect(free.ms).toBeLessThan(limited.ms / 4);
  });

  it('delay adds about the delay to the round trip on the chosen link (NFQUEUE fallback here)', async () => {
    const rtt = (from: string, to: string) => probe<{ medianMs: number; minMs: number }>(lab, from, 'rtt', ip(to), PROBE_PORT, 30);
    const base = await rtt('n1', 'n2');
    await lab.net.delay([{ from: 'n1', to: 'n2' }], 50, 0);
    let delayed: { medianMs: number };
    let other: { medianMs: number };
    try {
      delayed = await rtt('n1', 'n2');
      other = await rtt('n1', 'n3');
      await lab.net.delay([{ from: 'n1', to: 'n2' }], 30, 10);
      const jittered = await rtt('n1', 'n2');
      console.log(`delay 30±10 ms: median rtt ${jittered.medianMs.toFixed(1)} ms, min ${jittered.minMs.toFixed(1)} ms`);
      expect(jittered.minMs).toBeGreaterThanOrEqual(19);
      expect(jittered.medianMs).toBeGreaterThan(25);
      expect(jittered.medianMs).toBeLessThan(45);
    } finally {
      await lab.net.clearShaping();
    }
    const after = await rtt('n1', 'n2');
    const added = delayed.medianMs - base.medianMs;
    console.log(`delay 50 ms (${await lab.net.delayMechanism()}): rtt ${base.medianMs.toFixed(2)} → ${delayed.medianMs.toFixed(2)} ms, added ${added.toFixed(1)} ms`);
    expect(added).toBeGreaterThan(45);
    expect(added).toBeLessThan(60);
    expect(other.medianMs).toBeLessThan(10);
    expect(after.medianMs).toBeLessThan(10);
    // The helper is gone after clearShaping.
    expect(registry.resources().filter((r) => r.kind === 'process' && r.what.startsWith('nfqueue-delay'))).toEqual([]);
  });
});
