// Pure builders of the iptables and tc commands that cut and shape a namespace lab's network.
import type { Grudge, Link } from './lab.js';

/** The per-run chains inside each node's namespace, and the built-in chain that jumps to each. */
export function chainNames(runId: string): { part: string; loss: string; delay: string } {
  return { part: `fl-${runId}-part`, loss: `fl-${runId}-loss`, delay: `fl-${runId}-delay` };
}

/** iptables-restore input creating the run's chains in one namespace and hooking them in. */
export function chainSetup(runId: string): string {
  const c = chainNames(runId);
  return [
    '*filter',
    `:${c.part} - [0:0]`,
    `:${c.loss} - [0:0]`,
    `:${c.delay} - [0:0]`,
    // Partitions drop on the receiving side's INPUT (the grudge is "whose packets I drop").
    `-A INPUT -j ${c.part}`,
    // Shaping acts on the sender's OUTPUT: loss first, so a lost packet is never also queued for delay.
    `-A OUTPUT -j ${c.loss}`,
    `-A OUTPUT -j ${c.delay}`,
    'COMMIT',
    '',
  ].join('\n');
}

/** iptables-restore input that replaces the contents of some chains (--noflush leaves the rest alone). */
export function replaceChains(chains: Record<string, string[]>): string {
  const lines = ['*filter'];
  for (const [chain, rules] of Object.entries(chains)) {
    lines.push(`-F ${chain}`);
    for (const r of rules) lines.push(`-A ${chain} ${r}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Validates a grudge against the lab's node names: unknown names and self-grudges are bugs in the caller. */
export function checkGrudge(grudge: Grudge, nodes: readonly string[]): void {
  for (const [node, peers] of Object.entries(grudge)) {
    if (!nodes.includes(node)) throw new Error(`grudge names unknown node ${node} (nodes: ${nodes.join(', ')})`);
    for (const p of peers) {
      if (!nodes.includes(p)) throw new Error(`grudge of ${node} names unknown node ${p} (nodes: ${nodes.join(', ')})`);
      if (p === node) throw new Error(`grudge of ${node} names itself`);
    }
  }
}

/** DROP (never REJECT) rules for one node's INPUT: packets from each peer it holds a grudge against vanish. */
export function partitionRules(peers: readonly string[], ipOf: (n: string) => string): string[] {
  return [...new Set(peers)].sort().map((p) => `-s ${ipOf(p)}/32 -j DROP`);
}

/** Random loss on the sender's OUTPUT towards each receiver of `links` leaving `from`. */
export function lossRules(from: string, links: readonly Link[], p: number, ipOf: (n: string) => string): string[] {
  const prob = Math.min(1, Math.max(0, p)).toFixed(6);
  return receivers(from, links).map((to) => `-d ${ipOf(to)}/32 -m statistic --mode random --probability ${prob} -j DROP`);
}

/** Hand packets towards each receiver to the delay helper; --queue-bypass lets them pass if it is not running. */
export function delayRules(from: string, links: readonly Link[], queue: number, ipOf: (n: string) => string): string[] {
  return receivers(from, links).map((to) => `-d ${ipOf(to)}/32 -j NFQUEUE --queue-num ${queue} --queue-bypass`);
}

export function receivers(from: string, links: readonly Link[]): string[] {
  return [...new Set(links.filter((l) => l.from === from && l.to !== from).map((l) => l.to))].sort();
}

export function senders(links: readonly Link[]): string[] {
  return [...new Set(links.map((l) => l.from))].sort();
}

/** What the root qdisc of a node's eth0 should be: netem (delay, optionally with rate), tbf (rate), or none. */
export interface QdiscState {
  netemDelayMs?: number;
  netemJitterMs?: number;
  kbit?: number;
}

/** `tc qdisc replace dev eth0 root ...` arguments for a state, or undefined when no qdisc is wanted. */
export function rootQdiscArgs(state: QdiscState): string[] | undefined {
  if (state.netemDelayMs !== undefined) {
    const args = ['netem', 'delay', `${state.netemDelayMs}ms`];
    if (state.netemJitterMs) args.push(`${state.netemJitterMs}ms`);
    if (state.kbit !== undefined) args.push('rate', `${state.kbit}kbit`);
    return args;
  }
  if (state.kbit !== undefined) {
    // tbf needs burst >= rate/HZ and at least one MTU-sized packet; 10 ms worth of traffic or 16 KB.
    const burstBytes = Math.max(16_384, Math.ceil((state.kbit * 1000) / 8 / 100));
    return ['tbf', 'rate', `${state.kbit}kbit`, 'burst', String(burstBytes), 'latency', '100ms'];
  }
  return undefined;
}
