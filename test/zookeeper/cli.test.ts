// `faultline run --system zookeeper` end to end: short runs under each fault family in both labs must come out
// valid (ZooKeeper's writes are linearizable: an invalid verdict here is a false alarm or a real finding), the
// system option --sync-reads reaches the client, and a missing package is exit 4 naming apt-get install zookeeper.
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRecord } from '../../src/spec/record.js';
import { zookeeperSystem } from '../../src/system/zookeeper.js';
import { cli, leftovers, readRun } from '../run/cli.js';
import { pathWithout } from '../support/path.js';

const root = process.getuid?.() === 0;
let installed = true;
try {
  await zookeeperSystem.detect();
} catch {
  installed = false;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-zk-cli-'));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  valid: unknown;
  runId: string;
  system: string;
}

/**
 * One short run. `stderr` ends, for an invalid run, with the report's explanation of each failing key: the run
 * directory goes with the test's temp dir, so a failure message is all that is left to judge the finding by.
 */
async function shortRun(name: string, lab: string, extra: string[], seconds = 12): Promise<{ code: number | null; summary: Summary; run: string; stderr: string }> {
  const results = join(dir, name);
  const r = await cli(['run', '--system', 'zookeeper', '--lab', lab, '--time-limit', String(seconds), '--results', results, '--json', ...extra]);
  const summary = JSON.parse(r.stdout || '{}') as Summary;
  const run = realpathSync(join(results, 'register', 'latest'));
  let stderr = r.stderr;
  if (r.code === 1) for (const k of readRun(run).evidence.keys) stderr += `\n${k.key}: ${k.explanation.join(' ')}`;
  return { code: r.code, summary, run, stderr };
}

describe('zookeeper is missing', () => {
  it('--bin pointing nowhere: exit 4 naming apt-get install zookeeper, nothing created', async () => {
    const results = join(dir, 'missing');
    const r = await cli(['run', '--system', 'zookeeper', '--lab', 'host', '--bin', '/nowhere/zookeeper.jar', '--results', results]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe('zookeeper not found at /nowhere/zookeeper.jar: install it (Debian/Ubuntu: apt-get install zookeeper; it brings a JRE) or pass --bin DIR|PATH to zookeeper.jar');
    expect(existsSync(results)).toBe(false);
  });

  it.skipIf(!installed)('no java on PATH: exit 4 naming the package too', async () => {
    const bin = pathWithout(join(dir, 'nojava'), ['java']);
    const r = await cli(['run', '--system', 'zookeeper', '--lab', 'host', '--results', join(dir, 'nojava-r')], { ...process.env, PATH: bin });
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe('java not found on PATH (ZooKeeper needs a JRE): apt-get install zookeeper');
  });
});

describe.skipIf(!installed)('short runs on the host lab', () => {
  it('pause of the leader: valid, nodes logged, nothing left behind', async () => {
    const r = await shortRun('pause', 'host', ['--nemesis', 'pause']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary.system).toBe('zookeeper');
    expect(readFileSync(join(r.run, 'nodes', 'n1', 'zookeeper.log'), 'utf8')).toMatch(/ - (LEADING|FOLLOWING)$/m);
    expect(leftovers(r.summary.runId)).toEqual([]);
  }, 120_000);

  it('kill of the leader and restart: valid', async () => {
    const r = await shortRun('kill', 'host', ['--nemesis', 'kill']);
    expect(r.code, r.stderr).toBe(0);
    expect(leftovers(r.summary.runId)).toEqual([]);
  }, 120_000);

  it('--sync-reads off reaches the run settings', async () => {
    const r = await shortRun('local', 'host', ['--sync-reads', 'off', '--nemesis', 'none'], 5);
    expect([0, 1]).toContain(r.code);
    const test = JSON.parse(readFileSync(join(r.run, 'test.json'), 'utf8')) as TestRecord;
    expect(test.settings.options).toEqual({ syncReads: false });
  }, 120_000);
});

describe.skipIf(!installed || !root)('short runs on the netns lab', () => {
  it('partition of the leader (both peer ports): valid', async () => {
    const r = await shortRun('partition', 'netns', ['--nemesis', 'partition-leader']);
    expect(r.code, r.stderr).toBe(0);
    expect(leftovers(r.summary.runId)).toEqual([]);
  }, 120_000);

  it('clock skew and bump under libfaketime: valid, every change in the history', async () => {
    const r = await shortRun('clock', 'netns', ['--nemesis', 'clock-bump', '--nemesis', 'clock-skew'], 20);
    expect(r.code, r.stderr).toBe(0);
    const nemesis = readFileSync(join(r.run, 'history.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"nemesis"') && l.includes('"info"'));
    expect(nemesis.some((l) => /"start-clock-(bump|skew)".*"clocks":\{"n\d":\{"offsetMs":-?\d+,"rate":[\d.]+\}/.test(l))).toBe(true);
    expect(leftovers(r.summary.runId)).toEqual([]);
  }, 120_000);
});
