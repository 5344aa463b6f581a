// Test helper: an SSH sandbox for a test file, and what a run left on its hosts and on this machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../../src/lab/sandbox.js';
import { ledgerDir } from '../../../src/lab/ledger.js';
import { netnsNames } from '../../../src/lab/netns.js';

export const isRoot = process.getuid?.() === 0;
export const hasSshd = existsSync('/usr/sbin/sshd');

export { startSandbox, type Sandbox };

const sh = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
};

/** Processes anywhere on this machine (the sandbox's hosts share its /proc) whose environment names the run. */
export function markedPids(runId: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(`FAULTLINE_RUN=${runId}`)) out.push(Number(e));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out.filter((p) => {
    try {
      return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Everything of `runId` still present: rules in each host's namespace, host files and records, processes, registry. */
export function leftovers(sb: Sandbox, runId: string): string[] {
  const out: string[] = [];
  sb.addresses.forEach((_, k) => {
    const ns = netnsNames(sb.runId).ns(k + 1);
    for (const l of sh('ip', ['netns', 'exec', ns, 'iptables-save']).split('\n')) if (l.includes(runId)) out.push(`h${k + 1} iptables ${l}`);
    for (const l of sh('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'show', 'dev', 'eth0']).split('\n')) if (/tbf|netem/.test(l)) out.push(`h${k + 1} qdisc ${l}`);
  });
  for (const d of sb.hostDirs) {
    if (existsSync(join(d, `fl-${runId}`))) out.push(`dir ${join(d, `fl-${runId}`)}`);
    if (existsSync(join(d, '.faultline', `${runId}.run`))) out.push(`record ${join(d, '.faultline', `${runId}.run`)}`);
  }
  for (const p of markedPids(runId)) out.push(`process ${p} ${sh('ps', ['-o', 'args=', '-p', String(p)]).trim()}`);
  if (existsSync(join(ledgerDir(), `${runId}.json`))) out.push(`registry ${runId}.json`);
  if (existsSync(join(ledgerDir(), `fl-${runId}-ssh`))) out.push(`ssh dir fl-${runId}-ssh`);
  return out;
}
