// Builds report.html: one self-contained page (libraries and data inlined, no network) for one run.
import { skippedByReason } from '../nemesis/coverage.js';
import { formatBenchLevel } from './bench-format.js';
import { chartSpecs } from './charts.js';
import { anomaliesHtml } from './anomaly-graph.js';
import type { EvidenceFile } from './evidence-view.js';
import { escapeHtml as h, jsonForScript } from './escape.js';
import type { Excerpt } from './log-excerpts.js';
import type { Percentiles } from './latency.js';
import { PAGE_SCRIPT } from './page-script.js';
import type { ResultsFile, RunSummary, Verdict } from './results.js';
import { vendorScripts } from './vendor.js';
import { durabilityLine } from './durability.js';

export interface TimelinePoint {
  t: number;
  node: string;
  event: string;
  term: number;
}

export interface ReportInput {
  results: ResultsFile;
  evidence: EvidenceFile;
  timeline: TimelinePoint[];
  excerpts: Excerpt[];
}

/** No network at all: vega needs eval for its expressions and inline scripts; images only as data: URLs. */
export const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:960px;padding:0 16px 48px;color:#1b1b1b}
h1{font-size:20px;margin:0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px}
.banner{padding:14px 18px;margin:16px 0;border-radius:6px;color:#fff}.banner p{margin:4px 0 0}
.v-true{background:#2a7d3c}.v-false{background:#b3261e}.v-unknown{background:#8a6d00}.v-bench{background:#2b5d8a}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f5f5f5}td.l,th.l{text-align:left}.kv td:first-child{text-align:left;color:#555}
.figs{display:flex;flex-wrap:wrap;gap:10px}.fig{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.fig b{display:block;font-size:20px}.fig span{color:#666;font-size:12px}
.note{color:#555}.alert{color:#b3261e;font-weight:600}.ok{color:#2a7d3c}.suspect{background:#fff3cd}.warn{background:#fff3cd;padding:8px;border-radius:4px}
pre,code{font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:360px}
.chart{margin:10px 0}.error{color:#b3261e}
.evidence-svg .op rect{stroke:#333;stroke-width:.5}.op.lin rect{fill:#a6dba0}.op.other rect{fill:#ddd}.op.bad rect{fill:#f4a6a6;stroke:#b3261e;stroke-width:2}
.op.cand rect{fill:#fdd49e}.op.open rect{stroke-dasharray:4 2}.oplabel{font:10px ui-monospace,monospace}.proc,.axis{font:11px system-ui;fill:#555}
li.bad{color:#b3261e}
`;

const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? '–' : String(Math.round(x * 10 ** digits) / 10 ** digits));

function verdictWord(v: Verdict, property = 'linearizable'): string {
  return v === true ? `VALID — ${property}` : v === false ? `INVALID — not ${property}` : 'UNKNOWN — no verdict';
}

function shellQuote(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The command as typed, pinned to what it left to chance: the seed (so the same ops and faults replay) and the
 * lab (whose default depends on who runs it).
 */
function reproduce(run: RunSummary): string[] {
  const cmd = run.command[0] === 'faultline' ? run.command.slice(1) : [...run.command];
  if (cmd.length === 0 || cmd[0] === 'run') {
    if (cmd.length === 0) cmd.push('run');
    if (run.seed !== undefined && run.seed !== null && !cmd.includes('--seed')) cmd.push('--seed', String(run.seed));
    if (run.lab && !cmd.includes('--lab')) cmd.push('--lab', run.lab);
  }
  return ['faultline', ...cmd];
}

function kvTable(rows: [string, unknown][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><td>${h(k)}</td><td class="l">${h(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`).join('')}</table>`;
}

function fig(label: string, value: string, cls = ''): string {
  return `<div class="fig ${cls}"><b>${h(value)}</b><span>${h(label)}</span></div>`;
}

function latencyRows(byOp: Record<string, Record<string, Percentiles>>): string {
  const rows: string[] = [];
  for (const [f, outs] of Object.entries(byOp)) {
    for (const [o, p] of Object.entries(outs)) {
      rows.push(`<tr><td class="l">${h(f)}</td><td class="l">${h(o)}</td><td>${p.count}</td><td>${num(p.p50)}</td><td>${num(p.p90)}</td><td>${num(p.p99)}</td><td>${num(p.p999)}</td><td>${num(p.max)}</td><td>${num(p.mean)}</td></tr>`);
    }
  }
  return `<table><tr><th class="l">op</th><th class="l">outcome</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>${rows.join('')}</table>`;
}

function nodeRow(label: string, m: Record<string, number | null>, unit = ''): string {
  const cells = Object.entries(m).map(([n, v]) => `${h(n)}: ${num(v)}${unit}`);
  return `<tr><td>${h(label)}</td><td class="l">${cells.length ? cells.join(', ') : '–'}</td></tr>`;
}

function testSection(r: ResultsFile): string {
  const run = r.run;
  const s = run.settings;
  return `<section id="test"><h2>Test</h2>${kvTable([
    ['name', run.name],
    ['run id', run.runId],
    ['started', run.startedAt],
    ['duration', `${num(run.durationS)} s`],
    ['system', `${run.system ?? '?'} ${run.versions.system ?? ''}`],
    ['lab / nodes', `${run.lab ?? '?'} / ${run.nodes.join(', ')}`],
    ['raft settings', s ? `heartbeat ${s.heartbeatMs} ms, election ${s.electionMs} ms, pre-vote ${s.preVote ? 'on' : 'off'}${s.snapshotCount ? `, snapshot-count ${s.snapshotCount}` : ''}${s.extraFlags?.length ? `, ${s.extraFlags.join(' ')}` : ''}` : '?'],
    ['workload / model', `${run.workload ?? '?'} / ${run.model ?? '?'}`],
    ['nemesis', run.nemesis],
    ['concurrency / rate', `${run.concurrency ?? '?'} / ${run.rate ? `${run.rate} ops/s` : 'unlimited'}`],
    ['seed', run.seed ?? '?'],
    ['versions', run.versions],
  ])}<p>Reproduce:</p><pre id="reproduce">${h(run.command.length ? shellQuote(reproduce(run)) : '(command not recorded)')}</pre></section>`;
}

function figuresSection(r: ResultsFile): string {
  const p = r.latency.ok;
  return `<section id="figures"><h2>Key figures</h2><div class="figs">
${fig('operations', String(r.ops.total))}${fig('ok / fail / info', `${r.ops.ok} / ${r.ops.fail} / ${r.ops.info}`)}
${fig('ok ops/s (mean)', num(r.throughput.okPerS, 1))}${fig('ok ops/s (peak)', num(r.throughput.peakOkPerS, 1))}
${fig('p50 latency (ms)', num(p?.p50))}${fig('p99 latency (ms)', num(p?.p99))}${fig('p99.9 latency (ms)', num(p?.p999))}${fig('max latency (ms)', num(p?.max))}
${fig(`longest unavailability (no ok write > ${r.availability.thresholdS} s)`, `${num(r.availability.longestS)} s`, r.availability.longestS > 0 ? 'alert' : '')}
${fig('leader changes', String(r.raft.leaderChanges))}${fig('alerts', String(r.alerts.length), r.alerts.length ? 'alert' : '')}
</div><p>Latency is measured from the ${r.latency.basis === 'intended' ? 'intended start time (rate-limited run: no coordinated omission)' : 'invocation'}; ms, HdrHistogram, 3 significant digits.</p>
${latencyRows(r.latency.byOp)}</section>`;
}

/** "Fault coverage: 4 of 14 ran" with what ran, what could have, and what was skipped here and why. */
function coverageHtml(r: ResultsFile): string {
  const c = r.faultCoverage;
  if (!c) return '';
  const ran = Object.entries(c.ran);
  const notDrawn = c.available.filter((f) => !(f in c.ran));
  return `<p id="coverage"><b>Fault coverage: ${ran.length} of ${c.of.length} ran</b>${ran.length ? ` (${h(ran.map(([f, n]) => (n > 1 ? `${f} ×${n}` : f)).join(', '))})` : ''}.${notDrawn.length ? ` Available but not drawn this run: ${h(notDrawn.join(', '))}.` : ''}</p>${
    c.skipped.length ? `<ul id="coverage-skipped">${skippedByReason(c.skipped).map((g) => `<li>${h(g.names.join(', '))} skipped here: ${h(g.reason)}</li>`).join('')}</ul>` : ''
  }`;
}

function faultsSection(r: ResultsFile): string {
  const rows = r.faults.map((f) => {
    const rec = Object.entries(f.recoveryByNodeS).map(([n, v]) => `${n}: ${v === null ? 'never' : `${num(v)} s`}`).join(', ');
    return `<tr class="${f.suspect ? 'suspect' : ''}"><td class="l">${h(f.fault)}${f.open ? ' (never stopped)' : ''}${f.suspect ? ' ⚠ stall' : ''}${f.value !== undefined ? `<br><code>${h(JSON.stringify(f.value))}</code>` : ''}</td><td>${num(f.startS)}</td><td>${num(f.endS)}</td>
<td>${num(f.before.okPerS, 1)} / ${num(f.before.p99Ms)}</td><td>${num(f.during.okPerS, 1)} / ${num(f.during.p99Ms)}</td><td>${num(f.after.okPerS, 1)} / ${num(f.after.p99Ms)}</td>
<td>${f.firstErrorS === null ? 'none' : num(f.firstErrorS)}</td><td>${f.recoveryAllS === null ? (f.open ? '–' : 'not all') : num(f.recoveryAllS)}</td><td class="l">${h(rec)}</td></tr>`;
  });
  const unav = r.availability.windows.map(
    (w) => `<tr class="${w.suspect ? 'suspect' : ''}"><td>${num(w.fromS)}</td><td>${num(w.toS)}</td><td>${num(w.durationS)}</td><td class="l">${w.suspect ? 'overlaps a harness stall' : ''}</td></tr>`,
  );
  return `<section id="faults"><h2>Faults and availability</h2>
${coverageHtml(r)}${r.faults.length ? `<table><tr><th class="l">fault</th><th>start s</th><th>end s</th><th>before ok/s / p99 ms</th><th>during</th><th>after</th><th>first error after start (s)</th><th>recovery, all nodes (s)</th><th class="l">recovery per node (first ok write after heal)</th></tr>${rows.join('')}</table>` : '<p>No faults were injected.</p>'}
<h3>Unavailability windows (no successful write for more than ${h(r.availability.thresholdS)} s)</h3>
${unav.length ? `<table><tr><th>from s</th><th>to s</th><th>duration s</th><th class="l">note</th></tr>${unav.join('')}</table>` : '<p class="ok">None.</p>'}
${r.stalls.length ? `<p class="warn">The harness stalled ${r.stalls.length} time(s) (longest ${Math.max(...r.stalls.map((s) => s.ms))} ms): timings in the grey bands are suspect.</p>` : ''}
</section>`;
}

function raftSection(r: ResultsFile): string {
  const rf = r.raft;
  const el = rf.elections.map(
    (e) => `<tr class="${e.suspect ? 'suspect' : ''}"><td>${e.term}</td><td class="l">${h(e.leader)}</td><td>${num(e.startS)}</td><td>${num(e.leaderS)}</td><td>${num(e.durationS * 1000, 1)}</td></tr>`,
  );
  return `<section id="raft"><h2>Raft health</h2>
${r.alerts.length ? `<ul id="alerts">${r.alerts.map((a) => `<li class="alert">${h(a.message)}</li>`).join('')}</ul>` : '<p class="ok" id="alerts">No alerts.</p>'}
${!rf.logsAvailable ? '<p class="warn">No node logs: elections and terms unknown.</p>' : ''}${rf.metricsNote ? `<p class="note" id="metrics-note">${h(rf.metricsNote)}.</p>` : !rf.metricsAvailable ? '<p class="warn">No metrics samples: fsync, commit, proposals and lag unknown.</p>' : ''}
<table class="kv"><tr><td>leader changes</td><td class="l">${rf.leaderChanges} (${num(rf.leaderChangesPerMin)}/min)</td></tr>
<tr><td>term</td><td class="l">${rf.termStart ?? '?'} → ${rf.termEnd ?? '?'} (+${rf.termGrowth}, ${num(rf.termGrowthPerMin)}/min)</td></tr>
${rf.metricsNote ? '' : `${nodeRow('WAL fsync p99', rf.walFsyncP99Ms, ' ms')}${nodeRow('backend commit p99', rf.backendCommitP99Ms, ' ms')}
${nodeRow('proposals failed', rf.proposalsFailed)}${nodeRow('proposals pending (max)', rf.proposalsPendingMax)}${nodeRow('follower lag (max entries)', rf.followerLagMax)}`}</table>
<h3>Elections</h3>${el.length ? `<table><tr><th>term</th><th class="l">leader</th><th>campaign start s</th><th>leader at s</th><th>duration ms</th></tr>${el.join('')}</table>` : '<p>No elections in the logs.</p>'}
<div class="chart" id="chart-elections"></div><div class="chart" id="chart-lag"></div></section>`;
}

/** Nodes that died on their own: shown near the top, whatever the verdict, with what each one last said. */
function crashesSection(r: ResultsFile): string {
  const cs = r.crashes ?? [];
  if (cs.length === 0) return '';
  return `<section id="crashes" class="warn"><h2>${cs.length} node crash${cs.length > 1 ? 'es' : ''}</h2><p>These nodes exited on their own: no fault of this run killed or stopped them, and they stayed down. The verdict above judges the history; this is a separate finding about the store.</p>${cs
    .map((c) => `<h3>${h(c.node)} at ${h(c.atS.toFixed(3))} s: ${h(c.exit)}</h3><pre>${h(c.log.join('\n'))}</pre>`)
    .join('')}</section>`;
}

/**
 * What the final reads show, apart from the verdict: an invalid history may hold only dirty or stale reads, and a
 * valid-looking one says nothing about a key no final read reached. Lost writes are listed, oldest first.
 */
function durabilitySection(r: ResultsFile): string {
  const d = r.durability;
  if (!d) return '';
  const bad = d.lostCount > 0 || d.divergent.length > 0;
  const rows = d.lost.map((l) => `<tr><td class="l">${h(l.key)}</td><td class="l">${h(l.f)} ${h(JSON.stringify(l.value))}</td><td class="l">${h(l.node ?? '')}</td><td>${h(l.invokeS.toFixed(3))}</td><td>${h(l.completeS.toFixed(3))}</td><td class="l">${h(JSON.stringify(l.finalValue))}</td></tr>`);
  const table = rows.length ? `<table><tr><th class="l">key</th><th class="l">acknowledged write</th><th class="l">node</th><th>invoked s</th><th>acknowledged s</th><th class="l">final value</th></tr>${rows.join('')}</table>${d.lostCount > rows.length ? `<p>… and ${d.lostCount - rows.length} more.</p>` : ''}` : '';
  const divergent = d.divergent.length ? `<p>The nodes answered different values for ${d.divergent.length} key(s) after recovery: ${d.divergent.slice(0, 10).map((v) => `${h(v.key)} (${Object.entries(v.values).map(([n, x]) => `${h(n)} ${h(JSON.stringify(x))}`).join(', ')})`).join('; ')}.</p>` : '';
  return `<section id="durability"${bad ? ' class="warn"' : ''}><h2>Durability</h2><p>${h(durabilityLine(d))}.</p><p>A write counts as lost when every write that could have left a key's final value had been answered before it was invoked: it took effect after them, so the key should hold its value or a later one. Writes with an unknown outcome may take effect at any time and never count against the store.</p>${table}${divergent}</section>`;
}

function excerptsSection(ex: Excerpt[]): string {
  if (ex.length === 0) return '';
  return `<section id="logs"><h2>Node logs around elections</h2>${ex
    .map(
      (e) =>
        `<details><summary>${h(e.title)}</summary><pre>${e.lines.map((l) => `${h(l.node)} ${h(l.t.toFixed(3))}s ${h(l.line)}`).join('\n')}${e.omitted ? `\n… ${e.omitted} more lines` : ''}</pre></details>`,
    )
    .join('')}</section>`;
}

function benchSection(r: ResultsFile): string {
  if (!r.bench) return '';
  return `<section id="bench"><h2>Benchmark</h2><div class="chart" id="chart-benchPercentiles"></div><div class="chart" id="chart-benchSeconds"></div>
${r.bench.map((l) => `<pre class="bench-level">${h(formatBenchLevel(l))}</pre>`).join('')}</section>`;
}

export function buildReportHtml(input: ReportInput): string {
  const r = input.results;
  // A benchmark has requests but no history: its figures are tables, not time series.
  const hasOps = r.ops.total > 0 && !r.bench;
  const flags = {
    ops: hasOps,
    faults: r.faults.length > 0,
    stalls: r.stalls.length > 0,
    lag: r.raft.lag.length > 0,
    timeline: input.timeline.length > 0,
    bench: (r.bench?.length ?? 0) > 0,
    clocks: hasOps && (r.clocks?.length ?? 0) > 0,
  };
  const specs = chartSpecs(flags);
  const datasets = {
    throughput: r.series.throughput,
    latency: r.series.latency,
    scatter: r.series.scatter,
    faults: r.faults.map((f) => ({ fault: f.fault, startS: f.startS, endS: f.endS })),
    stalls: r.stalls,
    timeline: input.timeline,
    lag: r.raft.lag,
    clocks: r.clocks ?? [],
    bench: (r.bench ?? []).map((l) => ({ endpoint: l.endpoint, role: l.role, connections: l.connections, ...l.percentiles })),
    benchSeconds: (r.bench ?? []).flatMap((l) => l.perSecond.map((n, i) => ({ level: `${l.role} ${l.endpoint} c=${l.connections}`, second: i + 1, requests: n }))),
  };
  const data = { specs, datasets, evidence: input.evidence };
  const v = String(r.valid);
  const [vega, vegaLite, vegaEmbed] = vendorScripts();
  const chartsHtml = hasOps
    ? `<section id="charts"><h2>Latency and throughput over time</h2><p>Red bands: fault windows (labelled); grey bands: harness stalls.${r.series.scatterDropped ? ` The scatter shows ${r.series.scatter.length} of ${r.series.scatter.length + r.series.scatterDropped} ops.` : ''}</p>
<div class="chart" id="chart-throughput"></div><div class="chart" id="chart-quantiles"></div><div class="chart" id="chart-scatter"></div>${flags.clocks ? '<div class="chart" id="chart-clocks"></div>' : ''}</section>`
    : '';
  const evidenceHtml =
    input.evidence.keys.length > 0
      ? `<section id="evidence"><h2>Why it is not linearizable</h2><p>Per failing key: operations per process (bars from invocation to completion; dashed = never completed). Green: the longest linearizable prefix; red: operations the model rejects at that point; orange: operations that fit but lead nowhere.</p>${input.evidence.keys
          .map((k) => `<div class="why">${(k.explanation ?? []).map((s) => `<p>${h(s)}</p>`).join('')}</div>`)
          .join('')}<div id="evidence-root"></div></section>`
      : anomaliesHtml(input.evidence.anomalies ?? [], r.checker.property ?? 'valid');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>faultline ${h(r.run.name)} ${h(r.run.runId)}: ${h(verdictWord(r.valid, r.checker.property))}</title>
<style>${STYLE}</style></head><body>
<header id="verdict" class="banner v-${r.bench ? 'bench' : h(v)}"><h1>${h(r.bench ? 'BENCHMARK — commit latency' : verdictWord(r.valid, r.checker.property))}</h1><p>${h(r.run.name)} · run ${h(r.run.runId)} · ${h(r.run.startedAt)}</p><p>${h(r.checker.message)}</p></header>
${r.run.partial ? `<div class="warn" id="partial"><b>Partial run.</b><ul>${r.run.problems.map((p) => `<li>${h(p)}</li>`).join('')}</ul></div>` : ''}
${crashesSection(r)}${durabilitySection(r)}${testSection(r)}${benchSection(r)}${r.ops.total > 0 ? figuresSection(r) : ''}${chartsHtml}${hasOps || r.faults.length ? faultsSection(r) : ''}${raftSection(r)}${evidenceHtml}${excerptsSection(input.excerpts)}
<footer><p>faultline report · results.json beside this file holds every figure.</p></footer>
<script type="application/json" id="faultline-data">${jsonForScript(data)}</script>
<script>${vega}</script>
<script>${vegaLite}</script>
<script>${vegaEmbed}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
