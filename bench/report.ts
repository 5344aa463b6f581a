// Benchmark: time and size to build report.html for 10k, 100k and 1M synthetic ops, and to render it in Chromium.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { checkHistory } from '../src/report/check-history.js';
import { evidenceView } from '../src/report/evidence-view.js';
import { buildReportHtml } from '../src/report/html.js';
import { loadRun } from '../src/report/load-run.js';
import { logExcerpts } from '../src/report/log-excerpts.js';
import { electionsFromLogs } from '../src/report/log-elections.js';
import { measure } from '../src/report/measure.js';
import { writeSyntheticRun } from '../src/report/synthetic-run.js';

const SIZES = (process.env['FAULTLINE_BENCH_SIZES'] ?? '10000,100000,1000000').split(',').map(Number);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const since = (t: number): number => Math.round(performance.now() - t);

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'faultline-bench-report-'));
  const profile = mkdtempSync(join(tmpdir(), 'faultline-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
  const rows: string[] = [];
  try {
    for (const ops of SIZES) {
      const dir = join(root, `run-${ops}`);
      // ~2,000 ops/s at concurrency 8: 10k ops ≈ 5 s of history, 1M ≈ 8 min; two faults in the first minute.
      // About 300 ops per key, as the register workload moves to a fresh key (opsPerKey): a real run's shape.
      writeSyntheticRun(dir, { ops, concurrency: 8, keys: Math.max(8, Math.round(ops / 300)), faults: [{ fault: 'partition', startS: 2, endS: 3 }, { fault: 'kill', startS: 4, endS: 4.5 }], stalls: [{ atS: 3.5, ms: 200 }] });
      let t = performance.now();
      const run = loadRun(dir);
      const loadMs = since(t);
      t = performance.now();
      const { summary, result } = await checkHistory(run.history, run.test, 60);
      const checkMs = since(t);
      t = performance.now();
      const { results, calls } = measure(run, summary);
      const measureMs = since(t);
      t = performance.now();
      const html = buildReportHtml({
        results,
        evidence: evidenceView(result, calls),
        timeline: electionsFromLogs(run.logs, run.test!.t0EpochMs, run.system).map((e) => ({ t: e.time / 1e9, node: e.node, event: e.event, term: e.term })),
        excerpts: logExcerpts(run.logs, run.test!.t0EpochMs, results.raft.elections, run.system),
      });
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      const htmlMs = since(t);
      const page = await context.newPage();
      t = performance.now();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForFunction(() => (globalThis as unknown as { __faultline?: { done: boolean } }).__faultline?.done === true, undefined, { timeout: 120_000 });
      const renderMs = since(t);
      const failed = await page.evaluate(() => (globalThis as unknown as { __faultline: { failed: number } }).__faultline.failed);
      await page.close();
      const mb = statSync(file).size / 1e6;
      const historyMb = statSync(join(dir, 'history.jsonl')).size / 1e6;
      rows.push(
        `${String(ops).padStart(8)} ops  history ${historyMb.toFixed(1).padStart(6)} MB  verdict ${String(summary.valid).padEnd(7)} load ${String(loadMs).padStart(6)} ms  check ${String(checkMs).padStart(6)} ms  measure ${String(measureMs).padStart(5)} ms  html ${String(htmlMs).padStart(4)} ms  report ${mb.toFixed(2)} MB  render ${String(renderMs).padStart(5)} ms${failed ? `  (${failed} charts FAILED)` : ''}`,
      );
      process.stdout.write(rows[rows.length - 1] + '\n');
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:report failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
