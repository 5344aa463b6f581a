// `faultline publish`: writes a static site from a results directory — home, every report, trends, sweeps.
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { RUN_FILES } from '../results/layout.js';
import { buildIndexHtml, readEntries, type IndexEntry } from '../report/index-page.js';
import { SWEEP_FILE, SWEEP_PAGE, type SweepFile } from '../sweep/state.js';
import { usageError } from '../util/errors.js';
import { buildHomeHtml, type SweepLink } from './home.js';
import { buildTrendHtml, trendSeries } from './trends.js';
import { makeDirs } from '../util/dirs.js';

/** A directory holding this file was written by publish and may be replaced by the next publish. */
export const SITE_MARKER = '.faultline-site';

export interface PublishResult {
  out: string;
  runs: number;
  /** Runs without a report (never analysed): listed in the message, not linked. */
  skipped: string[];
  trends: number;
  sweeps: number;
  pages: string[];
}

/** A file name for a test's trend page: test names are directory names, but keep the page name tame. */
export const trendFile = (test: string): string => `${test.replace(/[^\w.-]/g, '_')}.html`;

function copyIfExists(from: string, to: string): boolean {
  if (!existsSync(from)) return false;
  makeDirs(dirname(to));
  copyFileSync(from, to);
  return true;
}

/** OUT must be new, empty, or a previous site (replaced whole, so removed runs do not linger). */
function prepareOut(out: string, results: string): void {
  if (out === results || results.startsWith(out + sep)) throw usageError(`faultline publish: OUT ${out} would contain the results directory; choose a directory outside it (e.g. site/)`);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw usageError(`faultline publish: ${out} is a file; give a directory`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(SITE_MARKER)) throw usageError(`faultline publish: ${out} is not empty and was not written by publish; choose an empty or new directory`);
    rmSync(out, { recursive: true, force: true });
  }
  makeDirs(out);
  writeFileSync(join(out, SITE_MARKER), 'written by faultline publish; the whole directory is replaced by the next publish\n');
}

function findSweeps(results: string): { name: string; dir: string; sweep: SweepFile }[] {
  const root = join(results, 'sweeps');
  if (!existsSync(root)) return [];
  const out: { name: string; dir: string; sweep: SweepFile }[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, SWEEP_FILE)) || !existsSync(join(dir, SWEEP_PAGE))) continue;
    try {
      out.push({ name, dir, sweep: JSON.parse(readFileSync(join(dir, SWEEP_FILE), 'utf8')) as SweepFile });
    } catch {
      // An unreadable sweep.json is skipped; the sweep itself reports it when resumed.
    }
  }
  return out;
}

export function publishSite(resultsDir: string, outDir: string): PublishResult {
  const results = resolve(resultsDir);
  const out = resolve(outDir);
  if (!existsSync(results) || !statSync(results).isDirectory()) throw usageError(`faultline publish: ${results} is not a directory; pass --results DIR (default ./results)`);
  prepareOut(out, results);
  const pages: string[] = [];

  // Every analysed run: report, figures and junit copied under runs/<test>/<run>/.
  const all = readEntries(results).filter((e) => !resolve(results, e.path).startsWith(out + sep));
  const published: IndexEntry[] = [];
  const skipped: string[] = [];
  for (const e of all) {
    const from = join(results, e.path);
    const to = join(out, 'runs', e.path);
    if (!e.results || !copyIfExists(join(from, RUN_FILES.report), join(to, RUN_FILES.report))) {
      skipped.push(e.path);
      continue;
    }
    copyIfExists(join(from, RUN_FILES.results), join(to, RUN_FILES.results));
    copyIfExists(join(from, RUN_FILES.junit), join(to, RUN_FILES.junit));
    published.push(e);
    pages.push(join(to, RUN_FILES.report));
  }
  writeFileSync(join(out, 'runs', 'index.html'), buildIndexHtml(published));
  pages.push(join(out, 'runs', 'index.html'));

  const series = trendSeries(published);
  makeDirs(join(out, 'trends'));
  for (const s of series) {
    const p = join(out, 'trends', trendFile(s.test));
    writeFileSync(p, buildTrendHtml(s, '../runs'));
    pages.push(p);
  }

  // Sweeps: the page, its sweep.json and the reports of the runs it links to.
  const sweeps: SweepLink[] = [];
  for (const sw of findSweeps(results)) {
    const to = join(out, 'sweeps', sw.name);
    copyIfExists(join(sw.dir, SWEEP_PAGE), join(to, SWEEP_PAGE));
    copyIfExists(join(sw.dir, SWEEP_FILE), join(to, SWEEP_FILE));
    for (const c of sw.sweep.cells) for (const r of c.runs) copyIfExists(join(sw.dir, r.dir, RUN_FILES.report), join(to, r.dir, RUN_FILES.report));
    sweeps.push({ name: sw.name, href: `sweeps/${sw.name}/${SWEEP_PAGE}`, sweep: sw.sweep });
    pages.push(join(to, SWEEP_PAGE));
  }

  writeFileSync(join(out, 'index.html'), buildHomeHtml({ series, sweeps, runs: published.length, skipped, trendHref: (t) => `trends/${trendFile(t)}`, runsHref: 'runs' }));
  pages.unshift(join(out, 'index.html'));
  return { out, runs: published.length, skipped, trends: series.length, sweeps: sweeps.length, pages };
}
