// Renders a comparison: a plain table for terminals, markdown for pull-request comments, JSON for machines.
import type { CompareReport, MetricComparison } from './compare.js';

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

function value(m: MetricComparison, x: number | null): string {
  if (x === null) return 'n/a';
  if (m.unit === 'ms') return `${x.toFixed(x < 10 ? 2 : 1)} ms`;
  if (m.unit === 'ok/s') return `${x.toFixed(1)} ok/s`;
  return `${x.toFixed(2)} s`;
}

function change(m: MetricComparison): string {
  if (m.change !== null) return pct(m.change);
  if (m.absChange !== null && m.unit === 's') return `${m.absChange >= 0 ? '+' : '−'}${Math.abs(m.absChange).toFixed(2)} s`;
  return 'n/a';
}

function interval(m: MetricComparison): string {
  if (m.ci) return `${pct(m.ci[0])} … ${pct(m.ci[1])}`;
  if (m.absCi && m.unit === 's') return `${m.absCi[0].toFixed(2)} … ${m.absCi[1].toFixed(2)} s`;
  if (m.metric === 'unavailability') return 'n/a (1 run on a side)';
  return 'n/a';
}

/** The allowed change on the worse side: "p99 ≤ +10%"; unavailability is also allowed up to the floor. */
const tolerance = (m: MetricComparison, floorS: number): string =>
  `${m.worse === 'higher' ? '≤ +' : '≥ −'}${(m.threshold * 100).toFixed(0)}%${m.metric === 'unavailability' ? ` or ≤ +${floorS} s` : ''}`;

const rows = (r: CompareReport): string[][] =>
  r.metrics.map((m) => [m.label, value(m, m.base), value(m, m.cand), change(m), interval(m), tolerance(m, r.unavailabilityFloorS), m.verdict]);

const HEADER = ['metric', 'base', 'cand', 'change', '95% CI', 'allowed', 'verdict'];

export function summaryLine(r: CompareReport): string {
  const sides = `${r.base.runs.length} base run(s) vs ${r.cand.runs.length} cand run(s), ${r.resamples} bootstrap resamples`;
  if (r.regressions.length) {
    const what = r.metrics
      .filter((m) => m.verdict === 'regression')
      .map((m) => `${m.metric} ${change(m)}`)
      .join(', ');
    return `regression: ${what} beyond the allowed change with 95% confidence (${sides})`;
  }
  const better = r.improvements.length ? `; improved: ${r.improvements.join(', ')}` : '';
  return `no regression: no metric is worse than allowed with 95% confidence${better} (${sides})`;
}

export function formatText(r: CompareReport): string {
  const table = [HEADER, ...rows(r)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(table[0]!), ...table.slice(1).map(line), '', summaryLine(r), ...r.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function formatMarkdown(r: CompareReport): string {
  const mark = (v: string): string => (v === 'regression' ? '❌ regression' : v === 'improvement' ? '✅ improvement' : v);
  const out = [
    `**faultline compare — ${r.verdict === 'regression' ? '❌ ' : '✅ '}${summaryLine(r)}**`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows(r).map((row) => `| ${row.map((c, i) => cell(i === row.length - 1 ? mark(c) : c)).join(' | ')} |`),
  ];
  if (r.notes.length) out.push('', ...r.notes.map((n) => `> ${cell(n)}`));
  out.push('', '<sub>commit latency: invoke (or intended start) → ok of write/put/append/cas during the load phase. ' +
    'Regression = the whole 95% interval of the change (bootstrap: runs, then seconds of load within runs) lies past the allowed change.</sub>');
  return out.join('\n') + '\n';
}

export function formatJson(r: CompareReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
