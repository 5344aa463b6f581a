// `faultline bench` against a real 3-node etcd cluster it starts itself, then its report in headless Chromium.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runBench } from '../../src/throughput/bench-run.js';
import type { ResultsFile } from '../../src/report/results.js';
import { countMarks, openReport, renderState } from '../support/browser.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
// As root the host lab runs each node as its own uid, which must be able to reach its directory.
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** etcd processes whose command line mentions our results directory (never anyone else's). */
function ourEtcds(): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'etcd'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(root));
  } catch {
    return [];
  }
}

it('benchmarks leader then followers at each concurrency, stores a run, cleans up its cluster', async () => {
  const { runDir, results } = await runBench({ resultsDir: root, lab: 'host', nodes: 3, connections: [1, 4], durationS: 2, maxRequests: 150, command: ['faultline', 'bench'] });
  expect(ourEtcds()).toEqual([]);
  const levels = results.bench!;
  expect(levels.map((l) => `${l.role}:${l.connections}`)).toEqual(['leader:1', 'leader:4', 'follower:1', 'follower:4', 'follower:1', 'follower:4']);
  for (const l of levels) {
    expect(l.requests).toBeGreaterThanOrEqual(150);
    expect(l.errors + l.non2xx).toBe(0);
    expect(l.rps).toBeGreaterThan(0);
    const p = l.percentiles;
    expect(p.p10 <= p.p50 && p.p50 <= p.p99 && p.p99 <= p.p999 && p.p999 <= l.summary.slowest * 1.001).toBe(true); // hdr: 3 significant digits
    expect(l.histogram.reduce((s, b) => s + b.count, 0)).toBe(l.requests - l.errors - l.non2xx);
  }
  const stored = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as ResultsFile;
  expect(stored.bench).toHaveLength(6);
  expect(existsSync(join(runDir, 'test.json'))).toBe(true);
  expect(existsSync(join(root, 'index.html'))).toBe(true);
  const o = await openReport(join(runDir, 'report.html'));
  try {
    expect((await renderState(o.page)).charts.sort()).toEqual(['benchPercentiles', 'benchSeconds']);
    expect(await countMarks(o.page, 'benchPercentiles')).toBeGreaterThan(0);
    expect(await o.page.textContent('#bench')).toContain('Requests/sec');
    expect(o.errors).toEqual([]);
    expect(o.requests).toEqual([]);
  } finally {
    await o.close();
  }
}, 120_000);
