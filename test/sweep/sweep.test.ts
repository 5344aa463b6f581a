// A real quick sweep on etcd: SIGKILLed after its first cell, resumed (only missing cells run), report rendered.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import type { TestRecord } from '../../src/spec/record.js';
import type { SweepFile } from '../../src/sweep/state.js';
import { countMarks, openReport, renderState, type OpenedPage } from '../support/browser.js';
import { cli, killCli, leftovers, startCli, type CliRun } from '../run/cli.js';
import { eventually } from '../support/process.js';

let root: string;
let running: CliRun | undefined;
let opened: OpenedPage | undefined;
const runIds = new Set<string>();

// Two cells etcd accepts and two its rule refuses (election < 5 × heartbeat), one short run per accepted cell.
const ARGS = ['sweep', '--heartbeat', '50,250', '--election', '500,1000', '--quick', '--time-limit', '6', '--lab', 'host'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fl-sweep-'));
  chmodSync(root, 0o755); // host-lab nodes run as their own uids and must reach their run directories
});
afterEach(async () => {
  killCli(running);
  running = undefined;
  await opened?.close();
  opened = undefined;
});
afterAll(async () => {
  if (runIds.size > 0) await cli(['lab', 'sweep']);
  rmSync(root, { recursive: true, force: true });
});

const readSweep = (dir: string): SweepFile | undefined => (existsSync(join(dir, 'sweep.json')) ? (JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as SweepFile) : undefined);

/** Run directories under a sweep's runs/ (or abandoned/): <test>/<run>, by their test.json. */
function runDirs(dir: string, sub = 'runs'): string[] {
  const base = join(dir, sub);
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((t) =>
    existsSync(join(base, t)) && !t.endsWith('.html') ? readdirSync(join(base, t)).filter((r) => r !== 'latest' && existsSync(join(base, t, r, 'test.json'))).map((r) => `${t}/${r}`) : [],
  );
}

function collectRunIds(dir: string): void {
  for (const sub of ['runs', 'abandoned']) for (const r of runDirs(dir, sub)) runIds.add((JSON.parse(readFileSync(join(dir, sub, r, 'test.json'), 'utf8')) as TestRecord).runId);
}


describe('faultline sweep', () => {
  it('rejects a bad grid with a one-line usage error', async () => {
    const r = await cli(['sweep', '--heartbeat', '100,x', '--out', join(root, 'bad')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--heartbeat takes a comma-separated list/);
    const n = await cli(['sweep', '--nemesis', 'bogus', '--out', join(root, 'bad')]);
    expect(n.code).toBe(3);
    expect(n.stderr).toMatch(/unknown nemesis "bogus"/);
    expect(existsSync(join(root, 'bad'))).toBe(false); // refused before anything was created
  });

  it('killed after its first cell, resumes with only the missing cells; refusals are findings; report renders', async () => {
    const dir = join(root, 'tiny');
    running = startCli([...ARGS, '--out', dir]);
    // Midway: the first cell is recorded and the second cell's run has begun recording its history.
    const first = await eventually(
      () => {
        const s = readSweep(dir);
        return s?.cells[0]?.status === 'done' ? s : undefined;
      },
      60_000,
      'first cell done',
      200,
    );
    await eventually(() => runDirs(dir).find((r) => r.startsWith('hb50-el1000-pv-off-quick/')), 60_000, 'second cell running', 200);
    collectRunIds(dir);
    running.child.kill('SIGKILL');
    await running.done;
    const killedRun = runDirs(dir).find((r) => r.startsWith('hb50-el1000-pv-off-quick/'))!;
    const killedId = (JSON.parse(readFileSync(join(dir, 'runs', killedRun, 'test.json'), 'utf8')) as TestRecord).runId;
    expect(leftovers(killedId).length).toBeGreaterThan(0); // the killed run really left its cluster behind

    const again = await cli([...ARGS, '--out', dir, '--json']);
    expect(again.code, again.stderr).toBe(0);
    collectRunIds(dir);
    expect(again.stderr).toMatch(/hb50-el500-pv-off: done already, skipped/);
    expect(again.stderr).toMatch(/1 unfinished run\(s\) moved to abandoned/);
    // The resume cleaned up the dead run's own lab before measuring on the machine.
    expect(leftovers(killedId)).toEqual([]);

    const s = readSweep(dir)!;
    expect(s.cells.map((c) => c.status)).toEqual(['done', 'done', 'refused', 'refused']);
    // Finished work was kept, not redone: cell 1 still has exactly its first run.
    expect(s.cells[0]!.runs).toEqual(first.cells[0]!.runs);
    expect(s.cells[1]!.runs).toHaveLength(1);
    expect(s.commands).toHaveLength(2);
    // 2 measured runs; the refused cells were refused by etcd's own rule (System.checkSettings) before any run
    // began, so they left no run directory; the killed one moved aside, not counted.
    expect(runDirs(dir)).toHaveLength(2);
    expect(runDirs(dir, 'abandoned')).toEqual([killedRun]);
    for (const c of s.cells.slice(2)) expect(c.reason).toMatch(/election timeout \d+ ms must be at least 5 × heartbeat 250 ms \(etcd refuses to start otherwise\)/);
    for (const c of s.cells.slice(0, 2)) {
      expect(c.valid).toBe(true);
      expect(c.metrics!.electionS).toBeGreaterThan(0);
      expect(c.metrics!.electionS).toBeLessThan(6);
      expect(c.metrics!.p99Ms).toBeGreaterThan(0);
      expect(c.metrics!.spuriousElections).toBeGreaterThanOrEqual(0);
    }
    const json = JSON.parse(again.stdout) as { ran: number };
    expect(json.ran).toBe(1);

    // A third invocation has nothing left to do.
    const third = await cli([...ARGS, '--out', dir]);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/0 run\(s\) this time/);

    // The sweep report: every chart drawn, heatmaps with a rect per accepted cell, the front, advice, the rule.
    opened = await openReport(join(dir, 'sweep.html'));
    const st = await renderState(opened.page);
    expect(st.failed, st.errors.join('; ')).toBe(0);
    expect(st.charts).toContain('pareto');
    expect(st.charts).toContain('heat-electionS');
    expect(st.rendered).toBe(st.charts.length);
    expect(await countMarks(opened.page, 'pareto')).toBeGreaterThanOrEqual(2);
    expect(await countMarks(opened.page, 'heat-electionS')).toBeGreaterThanOrEqual(4 + 2);
    const text = await opened.page.locator('body').innerText();
    expect(text).toMatch(/Recommended: hb50-el(500|1000)-pv-off/);
    expect(text).toMatch(/the system refused 2 cell\(s\)/);
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    // Each run link of the table opens an existing report.
    const hrefs = await opened.page.locator('#cells a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs).toHaveLength(2);
    for (const h of hrefs) expect(existsSync(join(dir, decodeURI(h)))).toBe(true);

    const sweep = await cli(['lab', 'sweep']);
    expect(sweep.code, sweep.stderr).toBe(0);
    for (const id of runIds) expect(leftovers(id)).toEqual([]);
  }, 170_000);
});
