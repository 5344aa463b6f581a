// results/index.html: every stored run, newest first, with its verdict and key figures (static, escaped HTML).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RUN_FILES } from '../results/layout.js';
import { escapeHtml as h } from './escape.js';
import { CSP } from './html.js';
import { keyFigures, type ResultsFile } from './results.js';

export interface IndexEntry {
  /** Run directory relative to the results root. */
  path: string;
  results?: ResultsFile;
  /** Why there is no results.json (run in progress or killed before analysis). */
  missing?: string;
}

/** results/<test-name>/<run>/ directories, found by their test.json, history.jsonl or results.json. */
export function findRuns(root: string): string[] {
  const out: string[] = [];
  if (!existsSync(root)) return out;
  for (const test of readdirSync(root)) {
    const tdir = join(root, test);
    if (test === 'latest' || !statSync(tdir).isDirectory()) continue;
    for (const run of readdirSync(tdir)) {
      const rdir = join(tdir, run);
      if (run === 'latest' || !statSync(rdir).isDirectory()) continue;
      if ([RUN_FILES.test, RUN_FILES.history, RUN_FILES.results].some((f) => existsSync(join(rdir, f)))) out.push(rdir);
    }
  }
  return out;
}

export function readEntries(root: string): IndexEntry[] {
  return findRuns(root).map((dir) => {
    const path = relative(root, dir);
    const rp = join(dir, RUN_FILES.results);
    if (!existsSync(rp)) return { path, missing: 'not analysed (run `faultline report` or `faultline analyze`)' };
    try {
      return { path, results: JSON.parse(readFileSync(rp, 'utf8')) as ResultsFile };
    } catch {
      return { path, missing: 'results.json unreadable' };
    }
  });
}

const verdictCell = (v: ResultsFile['valid'] | undefined): string =>
  v === true ? '<td class="v-true">valid</td>' : v === false ? '<td class="v-false">INVALID</td>' : '<td class="v-unknown">unknown</td>';

export function buildIndexHtml(entries: IndexEntry[]): string {
  // Newest first by start time; run directories begin with their timestamp, so the path breaks ties.
  const sorted = [...entries].sort((a, b) => (b.results?.run.startedAt ?? '').localeCompare(a.results?.run.startedAt ?? '') || b.path.localeCompare(a.path));
  const rows = sorted.map((e) => {
    const r = e.results;
    const link = `<a href="${h(encodeURI(`${e.path}/${RUN_FILES.report}`))}">${h(e.path)}</a>`;
    if (!r) return `<tr>${verdictCell(undefined)}<td class="l">${link}</td><td class="l" colspan="8">${h(e.missing ?? '')}</td></tr>`;
    const k = keyFigures(r);
    const fmt = (n: number | null): string => (n === null ? '–' : String(Math.round(n * 1000) / 1000));
    return `<tr>${r.bench ? '<td>bench</td>' : verdictCell(r.valid)}<td class="l">${link}</td><td class="l">${h(r.run.startedAt)}</td><td class="l">${h(r.run.name)}${r.run.partial ? ' (partial)' : ''}</td>
<td>${k.ops}</td><td>${fmt(k.okPerS)}</td><td>${fmt(k.p99Ms)}</td><td>${fmt(k.longestUnavailableS)}</td><td>${k.leaderChanges}</td><td>${k.alerts}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${h(CSP)}"><title>faultline results</title>
<style>body{font:14px system-ui,sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5}.l{text-align:left}.v-true{background:#d8f0dc}.v-false{background:#f6d3d0;font-weight:700}.v-unknown{background:#fbeec1}</style></head>
<body><h1>faultline results</h1><p>${entries.length} run(s), newest first.</p>
<table id="runs"><tr><th>verdict</th><th class="l">run</th><th class="l">started</th><th class="l">test</th><th>ops</th><th>ok ops/s</th><th>p99 ms</th><th>longest unavailable s</th><th>leader changes</th><th>alerts</th></tr>
${rows.join('\n')}</table></body></html>
`;
}

export function writeIndex(root: string): string {
  const path = join(root, 'index.html');
  writeFileSync(path, buildIndexHtml(readEntries(root)));
  return path;
}
