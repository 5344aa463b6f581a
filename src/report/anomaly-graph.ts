// The report's "why" section for Elle's findings: each anomaly in words, and its cycle drawn as an inline SVG.
import type { AnomalyEvidence } from '../checker/elle/run.js';
import type { GraphDescription } from '../checker/elle/explain.js';
import { escapeHtml as h } from './escape.js';

/** Listed in full; the rest are counted (results.json and evidence.json keep them all). */
const MAX_SHOWN = 12;

const EDGE_COLOUR: Readonly<Record<string, string>> = { ww: '#1f5fa8', wr: '#2a7d3c', rw: '#b3261e', realtime: '#7a4fa0', process: '#8a6d00' };

/**
 * Transactions on a circle in cycle order, each edge an arrow labelled with its kind and key. Drawn here, as
 * markup, so the page needs no script and no network to show it; the words above it carry the reasons.
 */
export function cycleSvg(g: GraphDescription): string {
  const n = g.nodes.length;
  if (n === 0 || g.edges.length === 0) return '';
  const r = n === 1 ? 0 : Math.max(70, 28 * n);
  const W = 2 * r + 260;
  const H = 2 * r + 90;
  const cx = W / 2;
  const cy = H / 2;
  const pos = new Map(g.nodes.map((v, i) => [v.id, { x: cx + r * Math.sin((2 * Math.PI * i) / n), y: cy - r * Math.cos((2 * Math.PI * i) / n) }]));
  const parts: string[] = [];
  parts.push(`<defs>${Object.entries(EDGE_COLOUR).map(([t, c]) => `<marker id="arrow-${t}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${c}"/></marker>`).join('')}</defs>`);
  for (const e of g.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const colour = EDGE_COLOUR[e.type] ?? '#555';
    // Bend each edge outwards so a → b and b → a do not overlap; stop short of the node's circle.
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const bend = n === 2 ? 40 : 20;
    const qx = mx - (dy / len) * bend;
    const qy = my + (dx / len) * bend;
    const end = shorten(qx, qy, b.x, b.y, 22);
    const start = shorten(qx, qy, a.x, a.y, 22);
    parts.push(`<path d="M${f(start.x)},${f(start.y)} Q${f(qx)},${f(qy)} ${f(end.x)},${f(end.y)}" fill="none" stroke="${colour}" stroke-width="2" marker-end="url(#arrow-${h(e.type in EDGE_COLOUR ? e.type : 'ww')})"><title>${h(e.label)}</title></path>`);
    parts.push(`<text x="${f(qx)}" y="${f(qy)}" class="edge-label" fill="${colour}" text-anchor="middle">${h(e.type)}${e.key !== undefined ? ` ${h(e.key)}` : ''}</text>`);
  }
  for (const v of g.nodes) {
    const p = pos.get(v.id)!;
    parts.push(`<g class="txn txn-${h(v.type)}"><circle cx="${f(p.x)}" cy="${f(p.y)}" r="20"/><text x="${f(p.x)}" y="${f(p.y + 4)}" text-anchor="middle">${h(v.id)}</text><title>${h(`${v.id} (op ${v.op}, process ${v.process}, ${v.type}): ${v.label}`)}</title></g>`);
  }
  return `<svg class="anomaly-graph" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="dependency cycle">${parts.join('')}</svg>`;
}

function shorten(fromX: number, fromY: number, toX: number, toY: number, by: number): { x: number; y: number } {
  const dx = toX - fromX;
  const dy = toY - fromY;
  const len = Math.hypot(dx, dy) || 1;
  return { x: toX - (dx / len) * by, y: toY - (dy / len) * by };
}

const f = (x: number): string => x.toFixed(1);

export const ANOMALY_STYLE = `.anomaly{border-left:3px solid #b3261e;padding-left:10px;margin:14px 0}.anomaly-graph .txn circle{fill:#fff;stroke:#333;stroke-width:1.5}
.anomaly-graph .txn-info circle{stroke-dasharray:4 2}.anomaly-graph text{font:12px system-ui}.anomaly-graph .edge-label{font:11px ui-monospace,monospace}`;

/** The section: nothing when there is nothing to explain. */
export function anomaliesHtml(anomalies: readonly AnomalyEvidence[], property: string): string {
  if (anomalies.length === 0) return '';
  const shown = anomalies.slice(0, MAX_SHOWN);
  const more = anomalies.length - shown.length;
  return `<section id="evidence"><style>${ANOMALY_STYLE}</style><h2>Why it is invalid: ${h(property)} does not hold</h2><p>Each anomaly with the transactions or operations involved and, for every dependency, the reason it exists. Graphs: ww = write-write, wr = write-read, rw = read-write (anti-dependency), realtime / process = one finished before the other began; hover an arrow for its reason, a node for its transaction.</p>${shown
    .map(
      (a) =>
        `<div class="anomaly"><h3>${h(a.type)}${a.rulesOut?.length ? ` <span class="note">rules out ${h(a.rulesOut.join(', '))}</span>` : ''}</h3><pre>${h(a.explanation)}</pre>${a.graph ? cycleSvg(a.graph) : ''}</div>`,
    )
    .join('')}${more > 0 ? `<p class="note">… and ${more} more in evidence.json.</p>` : ''}</section>`;
}
