// Short `faultline run watch` runs: on etcd under kills (writes with revisions, resumed watch streams, a final
// watch per node, the guarantees hold; the same history with one event taken out does not), and on antietcd
// through its websocket watch (whatever the verdict, the watch checker decides it and explains it).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json, Op } from '../../src/history/op.js';
import type { EvidenceFile } from '../../src/report/evidence-view.js';
import type { ResultsFile } from '../../src/report/results.js';
import { cli, leftovers, readLines } from '../run/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-watch-cli-'));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Responses = { rev: number; key: string }[][];
const responsesOf = (o: Op): Responses => ((o.value as { responses?: Responses } | undefined)?.responses ?? []);

describe('faultline run watch', () => {
  it('on etcd under kills: the guarantees hold (exit 0), and a history missing one event is unreliable (exit 1)', { timeout: 150_000 }, async () => {
    const r = await cli(['run', 'watch', '--system', 'etcd', '--lab', 'host', '--time-limit', '10', '--nemesis', 'kill', '--results', join(dir, 'r'), '--seed', '7', '--json']);
    const summary = JSON.parse(r.stdout) as { runDir: string; runId: string };
    expect(leftovers(summary.runId)).toEqual([]);
    const results = JSON.parse(readFileSync(join(summary.runDir, 'results.json'), 'utf8')) as ResultsFile;
    const history = readLines<Op>(join(summary.runDir, 'history.jsonl'));

    // Writes complete with their revision; watch requests are keyless, on the prefix, most of them resumptions.
    const puts = history.filter((o) => o.f === 'put' && o.type === 'ok');
    expect(puts.length).toBeGreaterThan(100);
    for (const p of puts) expect(p.value).toEqual({ rev: expect.any(Number) as number });
    const watches = history.filter((o) => o.f === 'watch' && o.type === 'invoke');
    expect(watches.every((o) => o.key === undefined)).toBe(true);
    expect(watches.some((o) => ((o.value as { startRev: number }).startRev) > 1)).toBe(true);
    const streams = history.filter((o) => o.f === 'watch' && o.type !== 'invoke');
    expect(streams.some((o) => responsesOf(o).flat().length > 10)).toBe(true);
    // A final watch on every node, from revision 1, with no watcher name (its process names it).
    const finals = watches.filter((o) => (o.value as { watcher?: string }).watcher === undefined);
    expect(finals.map((o) => o.node).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(finals.every((o) => (o.value as { startRev: number }).startRev === 1)).toBe(true);

    expect(results.checker).toMatchObject({ model: 'watch', property: 'watch guarantees' });
    expect(results.checker.message).toMatch(/^watch guarantees hold \(\d+ watchers, \d+ streams, \d+ events\)/);
    expect(results.valid).toBe(true);
    expect(r.code).toBe(0);

    // Take one event out of the middle of the longest stream: the watcher skipped an acknowledged write.
    const longest = streams.reduce((a, b) => (responsesOf(b).flat().length > responsesOf(a).flat().length ? b : a));
    const flat = responsesOf(longest).flat();
    const victim = flat[Math.floor(flat.length / 2)]!;
    const mutated = history.map((o) =>
      o === longest ? { ...o, value: { responses: responsesOf(o).map((resp) => resp.filter((e) => e !== victim)).filter((resp) => resp.length > 0) } as unknown as Json } : o,
    );
    const file = join(dir, 'mutated.jsonl');
    writeFileSync(file, mutated.map((o) => JSON.stringify(o)).join('\n') + '\n');
    const c = await cli(['check', file, '--model', 'watch']);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(new RegExp(`reliable: .*missed .*${victim.key.replace('/', '\\/')} at revision ${victim.rev}`));
  });

  it('on antietcd (websocket watch) with its defaults: decided by the watch checker, an invalid verdict explained', { timeout: 150_000 }, async () => {
    const r = await cli(['run', 'watch', '--system', 'antietcd', '--lab', 'host', '--time-limit', '8', '--nemesis', 'default', '--results', join(dir, 'a'), '--seed', '7', '--json']);
    // A run that ends before its summary (exit 4: the cluster never came up) says why on stderr.
    expect([0, 1], r.stderr).toContain(r.code);
    const summary = JSON.parse(r.stdout) as { runDir: string; runId: string };
    expect(leftovers(summary.runId)).toEqual([]);
    const results = JSON.parse(readFileSync(join(summary.runDir, 'results.json'), 'utf8')) as ResultsFile;
    const evidence = JSON.parse(readFileSync(join(summary.runDir, 'evidence.json'), 'utf8')) as EvidenceFile;
    const history = readLines<Op>(join(summary.runDir, 'history.jsonl'));
    // The websocket client recorded streams with events (a verdict about something, not about nothing).
    expect(history.filter((o) => o.f === 'watch' && o.type !== 'invoke').some((o) => responsesOf(o).flat().length > 0)).toBe(true);
    expect(results.checker.model).toBe('watch');
    expect([true, false]).toContain(results.valid);
    expect(r.code).toBe(results.valid === true ? 0 : 1);
    if (results.valid === false) {
      expect(results.checker.message).toMatch(/^watch guarantees broken: /);
      expect(evidence.anomalies!.length).toBeGreaterThan(0);
      expect(evidence.anomalies![0]!.explanation).toMatch(/watcher .* \(request at op \d+\): /);
      expect(readFileSync(join(summary.runDir, 'report.html'), 'utf8')).toContain('Why it is invalid');
    } else expect(existsSync(join(summary.runDir, 'report.html'))).toBe(true);
  });
});
