// Crash safety: a SIGKILLed harness leaves a checkable history prefix and `lab sweep` removes everything;
// Ctrl-C (SIGINT) heals, tears down, keeps and analyzes the history.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import type { Op } from '../../src/history/op.js';
import type { TestRecord } from '../../src/spec/record.js';
import { cli, killCli, leftovers, readLines, startCli, type CliRun } from './cli.js';

let results: string;
let running: CliRun | undefined;
const runIds: string[] = [];

beforeAll(() => {
  results = mkdtempSync(join(tmpdir(), 'fl-crash-'));
});
afterEach(async () => {
  killCli(running);
  running = undefined;
});
afterAll(async () => {
  // Whatever a failed test left behind: sweep removes runs whose owner died (only those; never live runs).
  if (runIds.length > 0) await cli(['lab', 'sweep']);
  rmSync(results, { recursive: true, force: true });
});

/** Waits until the run's history holds at least `ops` lines and `marker`; returns the run directory. */
async function waitForOps(root: string, name: string, ops: number, marker: string, timeoutMs = 40_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const latest = join(root, name, 'latest');
    if (existsSync(join(latest, 'history.jsonl')) && statSync(join(latest, 'history.jsonl')).size > 0) {
      const text = readFileSync(join(latest, 'history.jsonl'), 'utf8');
      if (text.split('\n').length - 1 >= ops && text.includes(marker)) return realpathSync(latest);
    }
    if (Date.now() > deadline) throw new Error(`no ${ops} ops in ${name} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('crash safety', () => {
  it('SIGKILL mid-run: the history is a valid prefix analyze can check, and lab sweep leaves nothing', async () => {
    const root = join(results, 'kill');
    running = startCli(['run', 'register', '--nemesis', 'partition-halves', '--time-limit', '60', '--results', root]);
    // Killed while the partition is in effect: iptables rules, namespaces and nodes are all live.
    const dir = await waitForOps(root, 'register', 600, '"type":"info","f":"start-partition-halves"');
    const test = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8')) as TestRecord;
    runIds.push(test.runId);
    running.child.kill('SIGKILL');
    await running.done;
    expect(leftovers(test.runId).length).toBeGreaterThan(0); // the lab really was left behind...
    const sweep = await cli(['lab', 'sweep']);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(leftovers(test.runId)).toEqual([]); // ...and sweep removed all of it.

    const history = readLines<Op>(join(dir, 'history.jsonl'));
    expect(history.length).toBeGreaterThanOrEqual(600);
    history.forEach((op, i) => expect(op.index).toBe(i));
    const a = await cli(['analyze', dir, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect((JSON.parse(a.stdout) as { valid: unknown }).valid).toBe(true);
  }, 150_000);

  it('SIGINT mid-run: stops load, heals, tears down, keeps and analyzes the history', async () => {
    const root = join(results, 'int');
    running = startCli(['run', 'register', '--nemesis', 'partition-one', '--time-limit', '60', '--results', root]);
    const dir = await waitForOps(root, 'register', 600, '"type":"info","f":"start-partition-one"');
    const test = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8')) as TestRecord;
    runIds.push(test.runId);
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stdout).toMatch(/interrupted/);
    expect(r.stdout).toMatch(/verdict: valid/);
    expect(leftovers(test.runId)).toEqual([]);
    const events = readLines<{ type: string; phase?: string }>(join(dir, 'events.jsonl'));
    expect(events.filter((e) => e.type === 'phase').at(-1)).toMatchObject({ type: 'phase', phase: 'done' });
    expect(existsSync(join(dir, 'results.json'))).toBe(true);
    const history0 = readLines<Op>(join(dir, 'history.jsonl'));
    expect(history0.some((o) => o.process === 'nemesis' && o.type === 'info' && o.f === 'stop-partition-one')).toBe(true);
    // No operation is left without its completion except by the harness's choice: every invoke completed.
    const history = readLines<Op>(join(dir, 'history.jsonl'));
    const open = new Map<string, number>();
    for (const op of history) {
      const p = String(op.process);
      if (op.type === 'invoke') open.set(p, (open.get(p) ?? 0) + 1);
      else open.set(p, (open.get(p) ?? 0) - 1);
    }
    expect([...open.values()].every((v) => v === 0)).toBe(true);
  }, 150_000);
});
