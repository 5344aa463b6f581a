// End to end against real etcd: faults with linearizable reads come out valid; serializable reads from an
// isolated node come out invalid.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Op } from '../../src/history/op.js';
import type { TestRecord } from '../../src/spec/record.js';
import { cli, leftovers, readLines } from './cli.js';

let results: string;
beforeAll(() => {
  results = mkdtempSync(join(tmpdir(), 'fl-verdicts-'));
});
afterAll(() => rmSync(results, { recursive: true, force: true }));

function runOf(name: string): { dir: string; test: TestRecord; history: Op[] } {
  const dir = realpathSync(join(results, name, 'latest'));
  return { dir, test: JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8')) as TestRecord, history: readLines<Op>(join(dir, 'history.jsonl')) };
}

describe('faultline run', () => {
  it('partitions, pause and kill with linearizable reads: valid, every fault recorded, final reads on every node', async () => {
    const r = await cli(['run', 'register-mixed', '--results', results, '--json']);
    const { dir, test, history } = runOf('register-mixed');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { valid: unknown; counts: { ok: number } };
    expect(summary.valid).toBe(true);
    expect(summary.counts.ok).toBeGreaterThan(50);
    const faults = new Set(history.filter((o) => o.process === 'nemesis' && o.type === 'info' && o.f.startsWith('start-')).map((o) => o.f));
    expect([...faults].sort()).toEqual(['start-kill', 'start-partition-halves', 'start-partition-leader', 'start-pause']);
    // Every start was healed.
    for (const f of faults) expect(history.some((o) => o.process === 'nemesis' && o.f === f.replace('start-', 'stop-'))).toBe(true);
    // The final phase read every key on every node.
    const events = readLines<{ type: string; phase?: string; time: number }>(join(dir, 'events.jsonl'));
    const finalAt = events.find((e) => e.phase === 'final-reads')!.time;
    const finals = history.filter((o) => o.type === 'invoke' && o.time >= finalAt);
    expect(new Set(finals.map((o) => o.node))).toEqual(new Set(['n1', 'n2', 'n3']));
    expect(test.model).toBe('cas-register');
    expect(leftovers(test.runId)).toEqual([]);
  }, 180_000);

  it('serializable reads from an isolated follower while the majority writes: invalid', async () => {
    const r = await cli(['run', 'stale-reads', '--results', results]);
    const { test, history } = runOf('stale-reads');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/verdict: INVALID/);
    expect(test.serializableReads).toBe(true);
    // The shape of the test itself: before the final reads, n3 only read and the others only wrote.
    const events = readLines<{ type: string; phase?: string; time: number }>(join(runOf('stale-reads').dir, 'events.jsonl'));
    const finalAt = events.find((e) => e.phase === 'final-reads')?.time ?? Infinity;
    const fsOn = (n: string): string[] => [...new Set(history.filter((o) => o.type === 'invoke' && o.node === n && o.time < finalAt).map((o) => o.f))].sort();
    expect(fsOn('n3')).toEqual(['read']);
    expect(fsOn('n1')).toEqual(['cas', 'write']);
    expect(history.some((o) => o.process === 'nemesis' && o.f === 'start-partition-one' && JSON.stringify(o.value).includes('"n3"'))).toBe(true);
    expect(leftovers(test.runId)).toEqual([]);
  }, 180_000);
});
