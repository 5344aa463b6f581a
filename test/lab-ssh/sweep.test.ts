// A `faultline run --lab ssh` SIGKILLed mid-partition leaves rules, processes and files on its hosts; `lab sweep
// --lab ssh` from a control node that knows nothing of the run (its local record gone) removes all of it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/lab/exec.js';
import { ledgerDir } from '../../src/lab/ledger.js';
import { cli, killCli, startCli, type CliRun } from '../run/cli.js';
import { hasSshd, isRoot, leftovers, startSandbox, type Sandbox } from './support/sandbox.js';

const SCHEDULE = resolve('test/lab-ssh/fixtures/long-partition.json');

describe.skipIf(!isRoot || !hasSshd)('lab sweep --lab ssh after a crash', () => {
  let sb: Sandbox;
  let results: string;
  beforeAll(async () => {
    sb = await startSandbox(3);
    results = mkdtempSync(join(tmpdir(), 'fl-ssh-sweep-'));
  });
  afterAll(async () => {
    await sb?.down();
    rmSync(results, { recursive: true, force: true });
  });

  it('removes every rule, process and file the killed run left on every host', async () => {
    // --use-locks off: antietcd 1.3.1's lock crash can leave no leader to cut, and this test is about the sweep.
    let run: CliRun | undefined;
    let runId = '';
    try {
      run = startCli(['run', '--lab', 'ssh', '--hosts-file', sb.hostsFile, '--system', 'antietcd', '--use-locks', 'off', '--time-limit', '60', '--nemesis', SCHEDULE, '--results', results]);
      // Wait until the partition is in force (its completion is in the history).
      const deadline = Date.now() + 60_000;
      for (;;) {
        const latest = join(results, 'register', 'latest');
        const hist = join(latest, 'history.jsonl');
        if (existsSync(hist) && /"type":"info","f":"start-partition-leader","value":\{"shape":"leader","grudge":\{"n/.test(readFileSync(hist, 'utf8'))) {
          runId = JSON.parse(readFileSync(join(latest, 'test.json'), 'utf8')).runId as string;
          break;
        }
        if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no partition started: ${(await run.done).stderr}`);
        await sleep(100);
      }
    } finally {
      // The crash: no handler runs.
      killCli(run);
      await run?.done;
    }
    try {
      const before = leftovers(sb, runId);
      expect(before.filter((l) => / iptables -A fl-\w+-part -s [\d.]+\/32 -j DROP$/.test(l)).length).toBeGreaterThan(0);
      expect(before.filter((l) => l.startsWith('process')).length).toBeGreaterThanOrEqual(3);
      expect(before.filter((l) => l.startsWith('record'))).toHaveLength(3);
      // A fresh control node: nothing of the run is known locally; only the hosts' own records say what it made.
      rmSync(join(ledgerDir(), `${runId}.json`), { force: true });
      const swept = await cli(['lab', 'sweep', '--lab', 'ssh', '--hosts-file', sb.hostsFile, '--json']);
      expect(swept.code, swept.stderr + swept.stdout).toBe(0);
      const reports = JSON.parse(swept.stdout) as { runId: string; removed: string[]; errors: string[] }[];
      // One report per host (this machine's orphaned ssh processes, if still alive, are reported apart).
      const onHosts = reports.filter((r) => r.runId === runId && r.removed.some((x) => / on root@/.test(x)));
      expect(onHosts).toHaveLength(3);
      expect(onHosts.flatMap((r) => r.errors)).toEqual([]);
      expect(onHosts.flatMap((r) => r.removed).some((x) => x.startsWith('iptables chain'))).toBe(true);
      // The local ssh dir (known_hosts, sockets) goes only through the record, which a fresh control node lacks.
      rmSync(join(ledgerDir(), `fl-${runId}-ssh`), { recursive: true, force: true });
      const deadline = Date.now() + 5000;
      while (leftovers(sb, runId).length > 0 && Date.now() < deadline) await sleep(100);
      expect(leftovers(sb, runId)).toEqual([]);
      // Nothing remains for a second sweep.
      const again = await cli(['lab', 'sweep', '--lab', 'ssh', '--hosts-file', sb.hostsFile, '--json']);
      expect((JSON.parse(again.stdout) as { runId: string }[]).filter((r) => r.runId === runId)).toEqual([]);
    } finally {
      // On failure too, so the next test finds clean hosts; this machine's part of the run is ours to drop.
      await cli(['lab', 'sweep', '--lab', 'ssh', '--hosts-file', sb.hostsFile]);
      rmSync(join(ledgerDir(), `fl-${runId}-ssh`), { recursive: true, force: true });
      rmSync(join(ledgerDir(), `${runId}.json`), { force: true });
    }
  }, 120_000);

  it('Ctrl-C mid-partition heals, tears down and leaves nothing on the hosts (exit 130)', async () => {
    const run = startCli(['run', '--lab', 'ssh', '--hosts-file', sb.hostsFile, '--system', 'antietcd', '--use-locks', 'off', '--time-limit', '60', '--nemesis', SCHEDULE, '--results', join(results, 'int')]);
    let runId = '';
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const latest = join(results, 'int', 'register', 'latest');
        const hist = join(latest, 'history.jsonl');
        if (existsSync(hist) && /"type":"info","f":"start-partition-leader","value":\{"shape":"leader","grudge":\{"n/.test(readFileSync(hist, 'utf8'))) {
          runId = JSON.parse(readFileSync(join(latest, 'test.json'), 'utf8')).runId as string;
          break;
        }
        if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no partition started: ${(await run.done).stderr}`);
        await sleep(100);
      }
      const live = leftovers(sb, runId);
      expect(live.some((l) => / -j DROP$/.test(l))).toBe(true);
      // A sweep meanwhile leaves a live run alone, here and on its hosts (its guard sessions are alive).
      const swept = await cli(['lab', 'sweep', '--lab', 'ssh', '--hosts-file', sb.hostsFile, '--json']);
      expect((JSON.parse(swept.stdout) as { runId: string }[]).filter((x) => x.runId === runId)).toEqual([]);
      expect(leftovers(sb, runId)).toEqual(live);
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code).toBe(130);
      expect(r.stdout).toMatch(/verdict: /);
      expect(leftovers(sb, runId)).toEqual([]);
    } finally {
      killCli(run);
    }
  }, 120_000);
});
