// The site's home page: every test with its latest verdict and trend, every sweep, and the all-runs index.
import { escapeHtml as h } from '../report/escape.js';
import { CSP } from '../report/html.js';
import type { SweepFile } from '../sweep/state.js';
import type { TrendSeries } from './trends.js';

export interface SweepLink {
  name: string;
  href: string;
  sweep: SweepFile;
}

export interface HomeInput {
  series: TrendSeries[];
  sweeps: SweepLink[];
  runs: number;
  skipped: string[];
  trendHref: (test: string) => string;
  runsHref: string;
}

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : String(Math.round(v * 1000) / 1000));

export function buildHomeHtml(i: HomeInput): string {
  const tests = i.series.map((s) => {
    const last = s.points.at(-1)!;
    const cls = last.verdict === 'valid' ? 'v-true' : last.verdict === 'INVALID' ? 'v-false' : 'v-unknown';
    const bad = s.points.filter((p) => p.verdict === 'INVALID').length;
    return `<tr><td class="l"><a href="${h(encodeURI(i.trendHref(s.test)))}">${h(s.test)}</a></td><td>${s.points.length}</td><td class="l ${cls}">${h(last.verdict)}</td><td>${bad}</td>
<td class="l">${h(last.startedAt)}</td><td>${num(last.p99Ms)}</td><td>${num(last.unavailableS)}</td><td>${last.leaderChanges}</td><td class="l"><a href="${h(encodeURI(`${i.runsHref}/${last.path}/report.html`))}">latest report</a></td></tr>`;
  });
  const sweeps = i.sweeps.map((s) => {
    const g = s.sweep.identity.grid;
    const done = s.sweep.cells.filter((c) => c.status === 'done').length;
    return `<li><a href="${h(encodeURI(s.href))}">${h(s.name)}</a>: heartbeat ${h(g.heartbeatMs.join(','))} × election ${h(g.electionMs.join(','))} × pre-vote ${h(g.preVote.map((p) => (p ? 'on' : 'off')).join(','))}; ${done}/${s.sweep.cells.length} cells measured, updated ${h(s.sweep.updatedAt)}</li>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${h(CSP)}"><title>faultline</title>
<style>body{font:14px system-ui,sans-serif;margin:16px auto;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5}.l{text-align:left}.v-true{background:#d8f0dc}.v-false{background:#f6d3d0;font-weight:700}.v-unknown{background:#fbeec1}</style></head>
<body><h1>faultline results</h1>
<p>${i.runs} analysed run(s) in ${i.series.length} test(s): <a href="${h(encodeURI(`${i.runsHref}/index.html`))}">all runs, newest first</a>.${i.skipped.length ? ` ${i.skipped.length} run(s) without a report were left out (run <code>faultline report</code> first).` : ''}</p>
<h2>Tests</h2>${tests.length ? `<table id="tests"><tr><th class="l">test (trend)</th><th>runs</th><th class="l">latest verdict</th><th>invalid runs</th><th class="l">latest run</th><th>p99 ms</th><th>longest unavailable s</th><th>leader changes</th><th class="l">report</th></tr>${tests.join('\n')}</table>` : '<p>No analysed runs.</p>'}
<h2>Tuning sweeps</h2>${sweeps.length ? `<ul id="sweeps">${sweeps.join('\n')}</ul>` : '<p>No sweeps.</p>'}
</body></html>
`;
}
