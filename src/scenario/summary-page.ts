// The self-contained HTML page of one or more scenario results: claim, verdict, numbers with spread, trial strip plots.
import { relative } from 'node:path';
import { escapeHtml as h, jsonForScript } from '../report/escape.js';
import { CSP } from '../report/html.js';
import type { FigureDef, ScenarioResult, Spread } from './types.js';

const W = 520;
const ROW = 22;
const PAD = 150;

const fmt = (x: number | null, unit: string): string => (x === null ? '–' : `${x}${unit === 'count' || unit === 'ratio' ? '' : ` ${unit}`}`);

/**
 * One strip plot per figure: a row per variant with every trial as a dot, the p10–p90 band and the median
 * tick. Drawn as static SVG so the page needs no script library and opens offline.
 */
function strip(r: ScenarioResult, f: FigureDef, id: string): string {
  const rows = r.variants.map((v) => ({ v, values: r.trials.filter((t) => t.variant === v.name).map((t) => ({ x: t.figures[f.key], suspect: t.suspect })) }));
  const all = rows.flatMap((x) => x.values.map((y) => y.x)).filter((x): x is number => typeof x === 'number');
  if (all.length === 0) return '';
  const max = Math.max(...all, 0) || 1;
  const min = Math.min(0, ...all);
  const x = (val: number): number => PAD + ((val - min) / (max - min)) * (W - PAD - 20);
  const height = rows.length * ROW + 24;
  const marks: string[] = [];
  rows.forEach((row, i) => {
    const y = 14 + i * ROW;
    const sp: Spread | undefined = r.spreads[row.v.name]?.[f.key];
    marks.push(`<text x="4" y="${y + 4}" class="lab">${h(row.v.label)}</text>`);
    if (sp && sp.p10 !== null && sp.p90 !== null) marks.push(`<rect class="band" x="${x(sp.p10)}" y="${y - 5}" width="${Math.max(1, x(sp.p90) - x(sp.p10))}" height="10"><title>p10–p90 ${sp.p10}–${sp.p90}</title></rect>`);
    for (const p of row.values) if (typeof p.x === 'number') marks.push(`<circle class="mark${p.suspect ? ' suspect' : ''}" cx="${x(p.x).toFixed(1)}" cy="${y}" r="3.5"><title>${h(fmt(p.x, f.unit))}${p.suspect ? ' (harness stall)' : ''}</title></circle>`);
    if (sp && sp.median !== null) marks.push(`<line class="median" x1="${x(sp.median)}" x2="${x(sp.median)}" y1="${y - 8}" y2="${y + 8}"><title>median ${sp.median}</title></line>`);
  });
  const axisY = rows.length * ROW + 6;
  marks.push(`<line class="axis" x1="${PAD}" x2="${W - 20}" y1="${axisY}" y2="${axisY}"/><text class="tick" x="${PAD}" y="${axisY + 14}">${h(fmt(min, f.unit))}</text><text class="tick" x="${W - 20}" y="${axisY + 14}" text-anchor="end">${h(fmt(Math.round(max * 1000) / 1000, f.unit))}</text>`);
  return `<figure class="chart" id="chart-${id}"><figcaption>${h(f.label)}</figcaption><svg width="${W}" height="${height + 10}" role="img" aria-label="${h(f.label)}">${marks.join('')}</svg></figure>`;
}

function table(r: ScenarioResult): string {
  const head = `<tr><th>figure</th>${r.variants.map((v) => `<th>${h(v.label)}</th>`).join('')}</tr>`;
  const rows = r.figures.map((f) => {
    const cells = r.variants.map((v) => {
      const s = r.spreads[v.name]?.[f.key];
      if (!s || s.median === null) return '<td>–</td>';
      const range = s.n > 1 ? ` <span class="sp">[${s.min}…${s.max}] p10 ${s.p10} p90 ${s.p90}, n ${s.n}</span>` : ' <span class="sp">(n 1)</span>';
      const all = r.spreadsAll?.[v.name]?.[f.key];
      const withSuspect = all && all.n > s.n ? ` <span class="sp">with stalled trials: median ${all.median}, [${all.min}…${all.max}], n ${all.n}</span>` : '';
      return `<td><b>${h(fmt(s.median, f.unit))}</b>${range}${withSuspect}</td>`;
    });
    return `<tr><td>${h(f.label)}</td>${cells.join('')}</tr>`;
  });
  return `<table class="figs">${head}${rows.join('')}</table>`;
}

const VERDICT_CLASS: Record<string, string> = { holds: 'ok', 'does not hold': 'bad', inconclusive: 'unk' };

function section(r: ScenarioResult, index: number, pageDir: string): string {
  const runs = r.runs
    .map((x) => {
      const rel = relative(pageDir, x.runDir);
      return `<li><a href="${h(rel)}/report.html">${h(rel)}</a> — ${h(x.variant)}, checker ${h(String(x.valid))}, seed ${x.seed}${x.errors.length ? `, ${x.errors.length} note(s)` : ''}</li>`;
    })
    .join('');
  const charts = r.figures.map((f, i) => strip(r, f, `${index}-${i}`)).join('');
  const settings = `${r.cluster.nodes} nodes, ${r.cluster.lab} lab, heartbeat ${r.cluster.heartbeatMs} ms, election ${r.cluster.electionMs} ms, pre-vote ${r.cluster.preVote ? 'on' : 'off'} (variants may override); ${r.form} form: ${r.formSettings.runs} run(s) × ${r.formSettings.faultsPerRun} fault(s) per variant, fault held ${r.formSettings.holdS} s after ${r.formSettings.calmS} s calm`;
  return `<section class="scenario" id="s-${h(r.name)}">
<h2>${h(r.title)} <span class="verdict ${VERDICT_CLASS[r.verdict] ?? 'unk'}">${h(r.verdict)}</span></h2>
<p class="claim">Claim: ${h(r.claim)}</p>
<ul class="reasons">${r.reasons.map((x) => `<li>${h(x)}</li>`).join('')}</ul>
<p class="settings">${h(settings)}. Criteria: ${h(JSON.stringify(r.criteria))}. ${r.trials.length} trials in ${r.durationS} s.</p>
${table(r)}
<div class="charts">${charts}</div>
${r.problems.length ? `<p class="problems">Problems: ${r.problems.map(h).join('; ')}</p>` : ''}
<details><summary>runs (${r.runs.length})</summary><ul>${runs}</ul></details>
</section>`;
}

/** A whole page; `pageDir` is where it is written, so run links are relative and the folder can be moved. */
export function scenarioPage(results: readonly ScenarioResult[], o: { title: string; pageDir: string }): string {
  const overview = results.map((r) => `<tr><td><a href="#s-${h(r.name)}">${h(r.title)}</a></td><td>${h(r.claim)}</td><td class="verdict ${VERDICT_CLASS[r.verdict] ?? 'unk'}">${h(r.verdict)}</td><td>${r.trials.length}</td></tr>`).join('');
  const data = results.map((r) => ({ name: r.name, verdict: r.verdict, charts: r.figures.length }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<title>${h(o.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}
.verdict{font-weight:600;padding:1px 8px;border-radius:4px}.ok{background:#d8f5d8}.bad{background:#fbd9d9}.unk{background:#eee}
.sp{color:#666;font-size:12px}.claim{font-style:italic}.charts{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:4px;border:1px solid #eee;padding:4px}figcaption{font-size:12px;color:#444}
.lab,.tick{font-size:11px;fill:#333}.band{fill:#9ecae1;opacity:.6}.mark{fill:#08519c;opacity:.8}.suspect{fill:#e6550d}.median{stroke:#000;stroke-width:2}.axis{stroke:#999}
.problems{color:#a00}
</style></head><body>
<h1>${h(o.title)}</h1>
<table class="overview"><tr><th>scenario</th><th>claim</th><th>verdict</th><th>trials</th></tr>${overview}</table>
${results.map((r, i) => section(r, i, o.pageDir)).join('\n')}
<script type="application/json" id="scenario-data">${jsonForScript(data)}</script>
<script>
(function(){var charts=[].slice.call(document.querySelectorAll('figure.chart')).map(function(f){return f.id});
globalThis.__faultline={done:true,rendered:charts.length,failed:0,errors:[],charts:charts};})();
</script>
</body></html>
`;
}
