// Opens generated reports in real headless Chromium: charts render, no errors, no network, hostile values inert.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../src/report/analyze-run.js';
import type { ResultsFile } from '../../src/report/results.js';
import { writeSyntheticRun } from '../../src/report/synthetic-run.js';
import { countMarks, openReport, renderState, screenshot, type OpenedPage } from '../support/browser.js';

const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

let root: string;
const run = (name: string): string => join(root, 'synthetic', name);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'faultline-report-'));
  writeSyntheticRun(run('20260101T000000-valid1'), {
    ops: 6000,
    concurrency: 4,
    seed: 7,
    faults: [{ fault: 'partition', startS: 1, endS: 2 }],
    stalls: [{ atS: 2.5, ms: 300 }],
  });
  writeSyntheticRun(run('20260101T000100-xss001'), { ops: 3000, concurrency: 4, seed: 8, faults: [{ fault: 'kill', startS: 0.5, endS: 1 }], hostile: HOSTILE, nonLinearizable: true });
  writeSyntheticRun(run('20260101T000200-part01'), { ops: 2000, concurrency: 4, seed: 9, truncate: true });
  rmSync(join(run('20260101T000200-part01'), 'nodes', 'n3'), { recursive: true });
  for (const d of ['20260101T000000-valid1', '20260101T000100-xss001', '20260101T000200-part01']) await analyzeRun(run(d), { timeoutS: 60 });
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

async function withPage(file: string, ...rest: [(o: OpenedPage) => Promise<void>] | [{ charts: boolean }, (o: OpenedPage) => Promise<void>]): Promise<void> {
  const [options, fn] = rest.length === 1 ? [{}, rest[0]] : rest;
  const o = await openReport(file, options);
  try {
    await fn(o);
  } finally {
    await o.close();
  }
}

describe('report.html in headless Chromium', () => {
  it('renders every chart with marks, offline, without console errors', async () => {
    const dir = run('20260101T000000-valid1');
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.valid).toBe(true);
    expect(results.faults).toHaveLength(1);
    expect(results.stalls).toHaveLength(1);
    await withPage(join(dir, 'report.html'), async (o) => {
      const state = await renderState(o.page);
      expect(state.failed).toBe(0);
      expect(state.charts.sort()).toEqual(['elections', 'lag', 'quantiles', 'scatter', 'throughput']);
      for (const c of state.charts) expect(await countMarks(o.page, c), c).toBeGreaterThan(2);
      // Every scatter point is a mark, plus the fault band, its label and the stall band.
      expect(await countMarks(o.page, 'scatter')).toBe(results.series.scatter.length + 3);
      expect(await o.page.textContent('#verdict')).toContain('VALID');
      expect(await o.page.textContent('#reproduce')).toContain('faultline run');
      expect(o.errors).toEqual([]);
      expect(o.requests).toEqual([]);
      const csp = await o.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      expect(csp).toContain("default-src 'none'");
      expect(existsSync(await screenshot(o.page, 'report-valid'))).toBe(true);
    });
  });

  it('shows hostile values from history and logs as text and draws the failing key', async () => {
    const dir = run('20260101T000100-xss001');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    await withPage(join(dir, 'report.html'), async (o) => {
      expect(o.dialogs).toEqual([]);
      expect(o.errors).toEqual([]);
      expect(o.requests).toEqual([]);
      expect(await o.page.textContent('#verdict')).toContain('INVALID');
      expect(await o.page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
      // Only our five script elements: the data block and four inline scripts.
      expect(await o.page.evaluate(() => document.querySelectorAll('script').length)).toBe(5);
      const evidence = await o.page.textContent('#evidence');
      expect(evidence).toContain(HOSTILE);
      expect(await o.page.evaluate(() => document.querySelectorAll('#evidence-root g.op.bad').length)).toBeGreaterThan(0);
      expect(await o.page.textContent('#reproduce')).toContain(HOSTILE);
      expect(await o.page.textContent('#faults')).toContain(HOSTILE);
      await o.page.click('#logs details summary');
      expect(await o.page.textContent('#logs')).toContain('onerror=alert(1)');
      await screenshot(o.page, 'report-xss');
    });
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<failure');
    expect(junit).not.toContain('<img');
  });

  it('reports a partial run and the index lists every run newest first', async () => {
    const results = JSON.parse(readFileSync(join(run('20260101T000200-part01'), 'results.json'), 'utf8')) as ResultsFile;
    expect(results.run.partial).toBe(true);
    await withPage(join(run('20260101T000200-part01'), 'report.html'), async (o) => {
      expect(await o.page.textContent('#partial')).toMatch(/truncated[\s\S]*n3/);
      expect((await renderState(o.page)).failed).toBe(0);
      expect(o.errors).toEqual([]);
    });
    const index = join(root, 'index.html');
    const html = readFileSync(index, 'utf8');
    expect(html).not.toContain('<img src=x');
    await withPage(index, { charts: false }, async (o) => {
      expect(await o.page.evaluate(() => document.querySelectorAll('#runs tr').length)).toBe(4);
      expect(await o.page.textContent('#runs')).toContain('INVALID');
      expect(o.errors).toEqual([]);
      expect(o.requests).toEqual([]);
      expect(o.dialogs).toEqual([]);
    });
    const runs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(runs).toEqual(['synthetic/20260101T000200-part01/report.html', 'synthetic/20260101T000100-xss001/report.html', 'synthetic/20260101T000000-valid1/report.html']);
  });
});
