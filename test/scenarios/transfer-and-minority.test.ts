// Scenarios 3 (transfer vs crash), 5 (minority partition) and 6 (membership) end to end on real etcd, and the summary page in Chromium.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, renderState } from '../support/browser.js';
import { checkCommon, figures, runScenarios, tempResults, type CatalogueRun } from './support.js';

let dir: string;
let run: CatalogueRun;

beforeAll(async () => {
  dir = tempResults('faultline-scen-b-');
  run = await runScenarios(['transfer-vs-crash', 'minority-partition', 'membership'], dir);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline scenarios transfer-vs-crash minority-partition membership --short', () => {
  it('runs every promised trial, analyses every run, derives each verdict from its numbers, leaves nothing running', () => {
    expect(run.results.map((r) => r.name)).toEqual(['transfer-vs-crash', 'minority-partition', 'membership']);
    checkCommon(run);
  });

  it('transfer vs crash: every transfer moved leadership and both arms measured unavailability', () => {
    const t = run.results[0]!;
    for (const tr of t.trials.filter((x) => x.variant === 'transfer')) expect(tr.notes).toEqual([]);
    for (const v of ['transfer', 'crash']) for (const x of figures(t, v, 'unavailableS')) expect(x!).toBeGreaterThan(0);
    for (const x of figures(t, 'transfer', 'newLeaderS')) expect(x).not.toBeNull();
  });

  it('minority partition: the minority acknowledged nothing while cut off, and the run is linearizable', () => {
    const m = run.results[1]!;
    expect(figures(m, 'split-2-3', 'minorityOkWrites')).toEqual([0]);
    expect(figures(m, 'split-2-3', 'minorityOkReads')).toEqual([0]);
    expect(figures(m, 'split-2-3', 'linearizable')).toEqual([1]);
    expect(figures(m, 'split-2-3', 'minorityWrites')[0]!).toBeGreaterThan(0);
    expect(m.trials[0]!.notes.some((n) => /^minority: n\d, n\d$/.test(n))).toBe(true);
  });

  it('membership: the learner was promoted and the run stayed linearizable', () => {
    const m = run.results[2]!;
    expect(figures(m, 'remove-add-promote', 'promoted')).toEqual([1]);
    expect(figures(m, 'remove-add-promote', 'linearizable')).toEqual([1]);
  });

  it('the summary page renders offline in Chromium: one chart per measured figure, one dot per trial value', async () => {
    const page = await openReport(join(run.summary.dir, 'summary.html'));
    try {
      const state = await renderState(page.page);
      const charts = await page.page.locator('figure.chart').count();
      const dots = await page.page.locator('figure.chart circle.mark').count();
      const values = run.results.reduce((a, r) => a + r.figures.reduce((b, f) => b + r.trials.filter((t) => typeof t.figures[f.key] === 'number').length, 0), 0);
      const withData = run.results.reduce((a, r) => a + r.figures.filter((f) => r.trials.some((t) => typeof t.figures[f.key] === 'number')).length, 0);
      expect(charts).toBe(withData);
      expect(state.rendered).toBe(charts);
      expect(dots).toBe(values);
      expect(await page.page.locator('section.scenario').count()).toBe(3);
      expect(await page.page.locator('.overview .verdict').allTextContents()).toEqual(run.results.map((r) => r.verdict));
      expect(page.errors).toEqual([]);
      expect(page.requests).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
