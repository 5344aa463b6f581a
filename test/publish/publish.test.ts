// publish on real runs and a real sweep: the site opens in headless Chromium, every link loads, charts draw;
// `faultline serve` serves it over HTTP and stops on Ctrl-C.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import type { TestRecord } from '../../src/spec/record.js';
import { countMarks, openReport, type OpenedPage, type Rendered } from '../support/browser.js';
import { cli, killCli, leftovers, startCli, type CliRun } from '../run/cli.js';

let root: string;
let results: string;
let opened: OpenedPage | undefined;
let serving: CliRun | undefined;
const runDirs: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fl-publish-'));
  chmodSync(root, 0o755);
  results = join(root, 'results');
  // Two runs of one test make a series; a one-cell quick sweep adds a sweep page.
  for (let i = 0; i < 2; i++) {
    const r = await cli(['run', '--lab', 'host', '--time-limit', '4', '--nemesis', 'none', '--results', results, '--json']);
    expect(r.code, r.stderr).toBe(0);
    runDirs.push((JSON.parse(r.stdout) as { runDir: string }).runDir);
  }
  const s = await cli(['sweep', '--quick', '--time-limit', '6', '--lab', 'host', '--results', results]);
  expect(s.code, s.stdout + s.stderr).toBe(0);
}, 120_000);
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  killCli(serving);
  serving = undefined;
});
afterAll(() => {
  for (const d of runDirs) {
    const id = (JSON.parse(readFileSync(join(d, 'test.json'), 'utf8')) as TestRecord).runId;
    expect(leftovers(id)).toEqual([]);
  }
  rmSync(root, { recursive: true, force: true });
});

describe('faultline publish', () => {
  it('refuses an OUT that holds other files, in one line', async () => {
    const out = join(root, 'busy');
    await cli(['publish', join(out, 'x'), '--results', results]); // creates out/x only
    writeFileSync(join(out, 'mine.txt'), 'keep me');
    const r = await cli(['publish', out, '--results', results]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not empty and was not written by publish/);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep me');
  });

  it('writes a site whose every link loads and whose charts render', async () => {
    const out = join(root, 'site');
    const r = await cli(['publish', out, '--results', results, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 2, trends: 1, sweeps: 1, skipped: [] });

    opened = await openReport(join(out, 'index.html'), { charts: false });
    const page = opened.page;
    const links = await page.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    // Tests table: trend + latest report; the all-runs index; the sweep.
    expect(links.length).toBeGreaterThanOrEqual(4);
    const visited: Record<string, Rendered | 'no charts'> = {};
    for (const href of links) {
      expect(href.startsWith(pathToFileURL(out).href), href).toBe(true);
      expect(existsSync(decodeURIComponent(new URL(href).pathname)), href).toBe(true);
      const res = await page.goto(href, { waitUntil: 'load' });
      expect(res === null || res.ok(), href).toBe(true);
      const hasCharts = await page.evaluate(() => document.getElementById('faultline-data') !== null);
      if (hasCharts) {
        await page.waitForFunction(() => (globalThis as unknown as { __faultline?: Rendered }).__faultline?.done === true, undefined, { timeout: 30_000 });
        const st = await page.evaluate(() => (globalThis as unknown as { __faultline: Rendered }).__faultline);
        expect(st.failed, `${href}: ${st.errors.join('; ')}`).toBe(0);
        expect(st.rendered, href).toBeGreaterThan(0);
        visited[href] = st;
      } else visited[href] = 'no charts';
    }
    // The trend page: one point per run in every series.
    const trend = links.find((l) => l.includes('/trends/'))!;
    await page.goto(trend, { waitUntil: 'load' });
    await page.waitForFunction(() => (globalThis as unknown as { __faultline?: Rendered }).__faultline?.done === true);
    expect(await countMarks(page, 'verdict')).toBe(2);
    for (const id of ['p99', 'unavailable', 'leaderChanges']) expect(await countMarks(page, id), id).toBeGreaterThanOrEqual(3); // a line + 2 points
    // Its run links load the copied reports.
    const runLinks = await page.locator('#runs a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(runLinks).toHaveLength(2);
    for (const l of runLinks) expect(existsSync(decodeURIComponent(new URL(l).pathname)), l).toBe(true);
    // The all-runs index links resolve too.
    await page.goto(links.find((l) => l.endsWith('/runs/index.html'))!);
    const indexLinks = await page.locator('#runs a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(indexLinks).toHaveLength(2);
    for (const l of indexLinks) expect(existsSync(decodeURIComponent(new URL(l).pathname)), l).toBe(true);
    expect(opened.errors).toEqual([]);
    expect(Object.values(visited).filter((v) => v !== 'no charts').length).toBeGreaterThanOrEqual(3);
  });

  it('serve: answers on 127.0.0.1 with the site and stops on Ctrl-C', async () => {
    const out = join(root, 'site2');
    expect((await cli(['publish', out, '--results', results])).code).toBe(0);
    serving = startCli(['serve', out, '--port', '0']);
    let stdout = '';
    serving.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!/http:\/\/127\.0\.0\.1:\d+\//.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)![0];
    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toContain('faultline results');
    const rel = /href="(runs\/[^"]+report\.html)"/.exec(readFileSync(join(out, 'index.html'), 'utf8'))![1]!;
    const report = await fetch(new URL(rel, url));
    expect(report.status).toBe(200);
    expect((await fetch(new URL('nope.html', url))).status).toBe(404);
    serving.child.kill('SIGINT');
    const done = await serving.done;
    expect(done.code).toBe(0);
  });
});
