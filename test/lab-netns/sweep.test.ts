// A harness SIGKILLed mid-partition (delay helper running) leaves leftovers that `sweep` removes completely.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive, ledgerDir, sweep } from '../../src/lab/ledger.js';
import { isRoot, leftovers } from './support/lab.js';

const HARNESS = fileURLToPath(new URL('./support/crash-harness.ts', import.meta.url));

describe.skipIf(!isRoot)('lab sweep after a crash', () => {
  it('removes the namespaces, links, chains, qdiscs and processes of a SIGKILLed run', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', HARNESS], { stdio: ['ignore', 'pipe', 'pipe'] });
    let info: { runId: string; pids: { pid: number; startTime: string; what: string }[] } | undefined;
    try {
      info = await new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
        });
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        child.once('exit', (code) => reject(new Error(`harness exited ${code}: ${err}`)));
        setTimeout(() => reject(new Error(`harness not ready in 30 s: ${err}`)), 30_000);
      });
    } finally {
      // The crash: no handler runs, nothing is cleaned up by the harness itself.
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    }
    const { runId, pids } = info!;
    try {
      expect(pids.some((p) => p.what.startsWith('nfqueue-delay'))).toBe(true);
      // The crash really left things behind: namespaces, links, live helper and probe processes.
      const before = leftovers(runId, pids);
      expect(before.filter((l) => l.startsWith('netns'))).toHaveLength(3);
      expect(before.filter((l) => l.startsWith('process'))).toHaveLength(pids.length);
    } finally {
      const t = performance.now();
      const reports = await sweep();
      const mine = reports.find((r) => r.runId === runId);
      console.log(`sweep (${reports.length} dead run(s), this one ${mine?.removed.length} resources): ${(performance.now() - t).toFixed(0)} ms`);
      expect(mine?.errors).toEqual([]);
    }
    expect(leftovers(runId, pids)).toEqual([]);
    expect(pids.every((p) => !isAlive(p.pid, p.startTime))).toBe(true);
    expect(existsSync(join(ledgerDir(), `${runId}.json`))).toBe(false);
    expect(existsSync(join(ledgerDir(), 'subnets'))).toBe(true);
  });
});
