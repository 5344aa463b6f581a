// sweep.html: one self-contained page per sweep — tables, a heatmap per metric, the Pareto front, the advice.
import { join } from 'node:path';
import { writeAtomic } from '../util/atomic.js';
import { escapeHtml as h, jsonForScript } from '../report/escape.js';
import { CSP } from '../report/html.js';
import { PAGE_SCRIPT } from '../report/page-script.js';
import { vendorScripts } from '../report/vendor.js';
import { METRIC_KEYS, type MetricKey } from './measure.js';
import { recommend, type Recommendation } from './recommend.js';
import { SWEEP_PAGE, type CellRecord, type SweepFile } from './state.js';

type Spec = Record<string, unknown>;

export const METRIC_LABELS: Record<MetricKey, string> = {
  electionS: 'new leader after leader kill (s)',
  unavailableS: 'write unavailability after leader isolation (s)',
  isolateElectionS: 'new leader after leader isolation (s)',
  p50Ms: 'p50 commit latency, no faults (ms)',
  p99Ms: 'p99 commit latency, no faults (ms)',
  spuriousElections: 'elections with no fault',
  grayLeaderChanges: 'leader changes, gray partition',
  grayTermGrowth: 'term growth, gray partition',
  lossLeaderChanges: 'leader changes, packet loss',
  lossTermGrowth: 'term growth, packet loss',
};

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 48px;color:#1b1b1b}
h1{font-size:20px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right;vertical-align:top}th{background:#f5f5f5}
.l{text-align:left}.refused{background:#eee;color:#555}.failed{background:#fff3cd}.pending{color:#888}.invalid{background:#f6d3d0;font-weight:700}
.best{background:#d8f0dc;font-weight:600}.advice{background:#eef6ee;border-left:4px solid #2a7d3c;padding:8px 14px}.chart{margin:10px 0}.error{color:#b3261e}
code{font:12px ui-monospace,monospace}`;

const num = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : String(Math.round(x * 1000) / 1000));

/** One row per cell for the charts: metrics flattened, pre-vote as a word (a facet label). */
function rows(cells: readonly CellRecord[]): Record<string, unknown>[] {
  return cells.map((c) => {
    const r: Record<string, unknown> = { id: c.id, heartbeat: c.heartbeatMs, election: c.electionMs, preVote: c.preVote ? 'pre-vote on' : 'pre-vote off', status: c.status, ratio: c.electionMs / c.heartbeatMs };
    for (const k of METRIC_KEYS) r[k] = c.metrics?.[k] ?? null;
    return r;
  });
}

/** Heatmap of one metric: heartbeat × election per pre-vote setting; refused cells grey and labelled. */
function heatmap(k: MetricKey): Spec {
  const label = `datum.${k} === null ? (datum.status === 'done' ? '–' : datum.status) : format(datum.${k}, '.3~f')`;
  return {
    data: { name: 'cells' },
    title: METRIC_LABELS[k],
    facet: { column: { field: 'preVote', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 160,
      layer: [
        { mark: { type: 'rect', color: '#e6e6e6' }, encoding: { x: { field: 'heartbeat', type: 'ordinal', title: 'heartbeat ms' }, y: { field: 'election', type: 'ordinal', title: 'election ms', sort: 'descending' } } },
        {
          transform: [{ filter: `datum.${k} !== null` }],
          mark: 'rect',
          encoding: {
            x: { field: 'heartbeat', type: 'ordinal' },
            y: { field: 'election', type: 'ordinal', sort: 'descending' },
            color: { field: k, type: 'quantitative', title: null, scale: { scheme: 'orangered' }, legend: { format: '~g' } },
            tooltip: [{ field: 'id' }, { field: k, title: METRIC_LABELS[k] }],
          },
        },
        { transform: [{ calculate: label, as: 'label' }], mark: { type: 'text', fontSize: 11 }, encoding: { x: { field: 'heartbeat', type: 'ordinal' }, y: { field: 'election', type: 'ordinal', sort: 'descending' }, text: { field: 'label' } } },
      ],
    },
  };
}

function paretoSpec(rec: Recommendation): Spec {
  const y = rec.axis === 'unavailableS' ? METRIC_LABELS.unavailableS : METRIC_LABELS.electionS;
  const enc = { x: { field: 'p99Ms', type: 'quantitative', title: METRIC_LABELS.p99Ms, scale: { zero: false } }, y: { field: 'availabilityS', type: 'quantitative', title: y, scale: { zero: false } } };
  return {
    title: 'Pareto front: availability against latency (lower-left is better)',
    width: 700,
    height: 320,
    layer: [
      { data: { name: 'front' }, mark: { type: 'line', color: '#2a7d3c', strokeDash: [4, 3] }, encoding: { ...enc, order: { field: 'p99Ms' } } },
      { data: { name: 'points' }, mark: { type: 'point', filled: true, size: 90 }, encoding: { ...enc, color: { field: 'preVote', type: 'nominal', title: 'pre-vote' }, shape: { field: 'onFront', type: 'nominal', title: 'on the front' }, tooltip: [{ field: 'id' }, { field: 'p99Ms' }, { field: 'availabilityS' }] } },
      { data: { name: 'points' }, mark: { type: 'text', dx: 6, align: 'left', fontSize: 10 }, encoding: { ...enc, text: { field: 'id' } } },
      { data: { name: 'best' }, mark: { type: 'point', size: 400, color: '#2a7d3c', strokeWidth: 2 }, encoding: enc },
    ],
  };
}

function cellTable(s: SweepFile, bestId: string | undefined): string {
  const head = `<tr><th class="l">cell</th><th>ratio</th><th class="l">status</th><th class="l">verdict</th>${METRIC_KEYS.map((k) => `<th>${h(METRIC_LABELS[k])}</th>`).join('')}<th class="l">runs</th></tr>`;
  const body = s.cells.map((c) => {
    const cls = c.id === bestId ? 'best' : c.status !== 'done' ? c.status : c.valid === false ? 'invalid' : '';
    const links = c.runs.map((r) => `<a href="${h(encodeURI(`${r.dir}/report.html`))}">${h(`${r.scenario}${s.identity.repeat > 1 ? ` #${r.rep}` : ''}`)}</a>`).join(' ');
    const status = c.status === 'done' ? 'measured' : `${c.status}${c.reason ? `: ${c.reason}` : ''}`;
    const verdict = c.valid === undefined ? '–' : c.valid === true ? 'valid' : c.valid === false ? 'INVALID' : 'unknown';
    return `<tr class="${cls}" id="cell-${h(c.id)}"><td class="l">${h(c.id)}</td><td>${num(c.electionMs / c.heartbeatMs)}×</td><td class="l">${h(status)}</td><td class="l">${verdict}</td>${METRIC_KEYS.map((k) => `<td>${num(c.metrics?.[k])}</td>`).join('')}<td class="l">${links}</td></tr>`;
  });
  return `<table id="cells">${head}${body.join('')}</table>`;
}

function extraTable(s: SweepFile): string {
  const names = s.identity.nemesis;
  if (!names.length) return '';
  const head = `<tr><th class="l">cell</th>${names.map((n) => `<th>${h(n)}: leader changes / term growth / longest unavailable s</th>`).join('')}</tr>`;
  const body = s.cells.map((c) => `<tr><td class="l">${h(c.id)}</td>${names.map((_, i) => {
    const x = c.metrics?.extra[`extra${i + 1}`];
    return `<td>${x ? `${x.leaderChanges} / ${x.termGrowth} / ${num(x.longestUnavailableS)}` : '–'}</td>`;
  }).join('')}</tr>`);
  return `<h2>Extra nemeses</h2><table id="extra">${head}${body.join('')}</table>`;
}

export function buildSweepHtml(s: SweepFile): string {
  const rec = recommend(s.cells);
  const measured = s.cells.filter((c) => c.status === 'done');
  const present = METRIC_KEYS.filter((k) => measured.some((c) => c.metrics?.[k] !== null && c.metrics?.[k] !== undefined));
  const specs: Record<string, Spec> = {};
  for (const k of present) specs[`heat-${k}`] = heatmap(k);
  if (rec.points.length) specs.pareto = paretoSpec(rec);
  const datasets = {
    cells: rows(s.cells),
    points: rec.points.map((p) => ({ ...p, preVote: p.preVote ? 'on' : 'off', onFront: p.front ? 'yes' : 'no' })),
    front: rec.points.filter((p) => p.front),
    best: rec.points.filter((p) => p.id === rec.best?.id),
  };
  const [vega, vegaLite, vegaEmbed] = vendorScripts();
  const counts = { done: measured.length, refused: s.cells.filter((c) => c.status === 'refused').length, failed: s.cells.filter((c) => c.status === 'failed').length, pending: s.cells.filter((c) => c.status === 'pending').length };
  const id = s.identity;
  const advice = rec.best
    ? `<div class="advice" id="recommendation"><p><b>Recommended: ${h(rec.best.id)}</b></p><ul>${rec.best.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul></div>`
    : '<p id="recommendation">No recommendation: no cell has both an availability and a latency figure yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${h(CSP)}"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>faultline sweep ${h(s.name)}</title><style>${STYLE}</style></head><body>
<h1>Tuning sweep ${h(s.name)}</h1>
<p>heartbeat ${h(id.grid.heartbeatMs.join(', '))} ms × election ${h(id.grid.electionMs.join(', '))} ms × pre-vote ${h(id.grid.preVote.map((p) => (p ? 'on' : 'off')).join(', '))};
${id.repeat} repetition(s) of ${id.quick ? 'one quick run (leader kill)' : 'a calm run and one run each with leader kill, leader isolation, gray partition and 20% packet loss'}${id.nemesis.length ? ` plus ${h(id.nemesis.join(', '))}` : ''}, ${id.timeLimitS} s of load each, lab ${h(id.lab ?? 'default')}.
${counts.done} cell(s) measured, ${counts.refused} refused by the system, ${counts.failed} failed, ${counts.pending} not yet run. Figures are medians over repetitions. Updated ${h(s.updatedAt)}.</p>
<h2>Recommendation</h2>${advice}
<h2>The "election timeout ≈ 5× heartbeat" rule of thumb</h2><ul id="rule">${rec.ruleOfThumb.map((r) => `<li>${h(r)}</li>`).join('')}</ul>
<h2>Pareto front</h2>${rec.points.length ? '<div class="chart" id="chart-pareto"></div>' : '<p>Not enough measured cells.</p>'}
<h2>Cells</h2>${cellTable(s, rec.best?.id)}${extraTable(s)}
<h2>Heatmaps</h2>${present.map((k) => `<div class="chart" id="chart-heat-${k}"></div>`).join('')}
<footer><p>faultline sweep · sweep.json beside this file holds every figure and run directory.</p></footer>
<script type="application/json" id="faultline-data">${jsonForScript({ specs, datasets })}</script>
<script>${vega}</script>
<script>${vegaLite}</script>
<script>${vegaEmbed}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

export function writeSweepPage(dir: string, s: SweepFile): string {
  const path = join(dir, SWEEP_PAGE);
  writeAtomic(path, buildSweepHtml(s));
  return path;
}
