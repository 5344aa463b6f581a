// Opens a report in Debian's headless Chromium (playwright-core) and records console errors, requests and dialogs.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface OpenedPage {
  page: Page;
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Every request other than the report file itself: must stay empty (the report opens offline). */
  requests: string[];
  /** alert/confirm/prompt texts: an XSS would show up here. */
  dialogs: string[];
  /** ms from navigation to every chart rendered. */
  renderMs: number;
  close(): Promise<void>;
}

export interface Rendered {
  done: boolean;
  rendered: number;
  failed: number;
  errors: string[];
  charts: string[];
}

/**
 * Launches a browser with a fresh profile, opens `file`, and (unless `charts` is false, for pages without
 * charts such as results/index.html) waits until the page's charts are drawn.
 */
export async function openReport(file: string, options: { charts?: boolean; timeoutMs?: number } = {}): Promise<OpenedPage> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
  let context: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1000, height: 900 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const url = pathToFileURL(resolve(file)).href;
    const errors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    context.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    const t0 = performance.now();
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    if (options.charts !== false) {
      await page.waitForFunction(() => (globalThis as unknown as { __faultline?: Rendered }).__faultline?.done === true, undefined, { timeout: timeoutMs });
    }
    const renderMs = performance.now() - t0;
    return { page, errors, requests, dialogs, renderMs, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function renderState(page: Page): Promise<Rendered> {
  return page.evaluate(() => (globalThis as unknown as { __faultline: Rendered }).__faultline);
}

/** Number of drawn marks (data marks, not axes) in the vega SVG of chart `id`. */
export async function countMarks(page: Page, id: string): Promise<number> {
  return page.evaluate((cid) => document.querySelectorAll(`#chart-${cid} svg g.role-mark > *`).length, id);
}

/** Writes a full-page screenshot under test-artifacts/ (gitignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = resolve('test-artifacts', `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
