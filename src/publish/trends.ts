// Trend pages: one per test, the series of its runs over time — verdicts, p99 latency, unavailability, leader changes.
import { escapeHtml as h, jsonForScript } from '../report/escape.js';
import { CSP } from '../report/html.js';
import type { IndexEntry } from '../report/index-page.js';
import { PAGE_SCRIPT } from '../report/page-script.js';
import { vendorScripts } from '../report/vendor.js';

export interface TrendPoint {
  /** ISO start time. */
  startedAt: string;
  /** Run path relative to the runs root (<test>/<run>). */
  path: string;
  verdict: 'valid' | 'INVALID' | 'unknown' | 'bench';
  p99Ms: number | null;
  unavailableS: number;
  leaderChanges: number;
}

export interface TrendSeries {
  test: string;
  points: TrendPoint[];
}

/** Analysed runs grouped by test name, oldest first (the order a trend is read in). */
export function trendSeries(entries: readonly IndexEntry[]): TrendSeries[] {
  const by = new Map<string, TrendPoint[]>();
  for (const e of entries) {
    const r = e.results;
    if (!r) continue;
    const p: TrendPoint = {
      startedAt: r.run.startedAt,
      path: e.path,
      verdict: r.bench ? 'bench' : r.valid === true ? 'valid' : r.valid === false ? 'INVALID' : 'unknown',
      p99Ms: r.latency.ok?.p99 ?? r.bench?.[0]?.percentiles.p99 ?? null,
      unavailableS: r.availability.longestS,
      leaderChanges: r.raft.leaderChanges,
    };
    const list = by.get(r.run.name) ?? [];
    list.push(p);
    by.set(r.run.name, list);
  }
  return [...by]
    .map(([test, points]) => ({ test, points: points.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.path.localeCompare(b.path)) }))
    .sort((a, b) => a.test.localeCompare(b.test));
}

const x = { field: 'startedAt', type: 'temporal', title: 'run started' };

/** A line with a point per run: a single run still shows (a line of one point draws nothing). */
function lineChart(field: string, title: string): Record<string, unknown> {
  const enc = { x, y: { field, type: 'quantitative', title, axis: { format: '~g' } }, tooltip: [{ field: 'path' }, { field, title }] };
  return { title, width: 760, height: 160, data: { name: 'points' }, layer: [{ mark: 'line', encoding: enc }, { mark: { type: 'point', filled: true }, encoding: enc }] };
}

export function trendSpecs(): Record<string, Record<string, unknown>> {
  return {
    verdict: {
      title: 'Verdict per run',
      width: 760,
      height: 60,
      data: { name: 'points' },
      mark: { type: 'point', filled: true, size: 120 },
      encoding: {
        x,
        y: { field: 'verdict', type: 'nominal', title: null },
        color: { field: 'verdict', type: 'nominal', scale: { domain: ['valid', 'INVALID', 'unknown', 'bench'], range: ['#2a7d3c', '#b3261e', '#8a6d00', '#2b5d8a'] }, legend: null },
        tooltip: [{ field: 'path' }, { field: 'verdict' }],
      },
    },
    p99: lineChart('p99Ms', 'p99 commit latency (ms)'),
    unavailable: lineChart('unavailableS', 'longest unavailability (s)'),
    leaderChanges: lineChart('leaderChanges', 'leader changes'),
  };
}

const num = (v: number | null): string => (v === null ? '–' : String(Math.round(v * 1000) / 1000));

/** The page of one test's series; links to reports are relative to the trends/ directory. */
export function buildTrendHtml(s: TrendSeries, runsHref: string): string {
  const rows = [...s.points].reverse().map(
    (p) => `<tr><td class="l v-${p.verdict === 'INVALID' ? 'false' : p.verdict === 'valid' ? 'true' : 'unknown'}">${h(p.verdict)}</td><td class="l"><a href="${h(encodeURI(`${runsHref}/${p.path}/report.html`))}">${h(p.path)}</a></td><td class="l">${h(p.startedAt)}</td><td>${num(p.p99Ms)}</td><td>${num(p.unavailableS)}</td><td>${p.leaderChanges}</td></tr>`,
  );
  const [vega, vegaLite, vegaEmbed] = vendorScripts();
  const specs = trendSpecs();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${h(CSP)}"><title>faultline trend: ${h(s.test)}</title>
<style>body{font:14px system-ui,sans-serif;margin:16px auto;max-width:900px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5}.l{text-align:left}.v-true{background:#d8f0dc}.v-false{background:#f6d3d0;font-weight:700}.v-unknown{background:#fbeec1}.chart{margin:8px 0}.error{color:#b3261e}</style></head>
<body><p><a href="../index.html">← all tests</a></p><h1>Trend: ${h(s.test)}</h1><p>${s.points.length} analysed run(s), oldest ${h(s.points[0]?.startedAt ?? '–')}, newest ${h(s.points.at(-1)?.startedAt ?? '–')}.</p>
${Object.keys(specs).map((id) => `<div class="chart" id="chart-${id}"></div>`).join('\n')}
<h2>Runs, newest first</h2><table id="runs"><tr><th class="l">verdict</th><th class="l">run</th><th class="l">started</th><th>p99 ms</th><th>longest unavailable s</th><th>leader changes</th></tr>${rows.join('\n')}</table>
<script type="application/json" id="faultline-data">${jsonForScript({ specs, datasets: { points: s.points } })}</script>
<script>${vega}</script>
<script>${vegaLite}</script>
<script>${vegaEmbed}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
