// Elle's checkers by model name (list-append, set-full, watch): one call from ops to verdict, words, JSON and evidence.
import type { Op } from '../../history/op.js';
import type { Verdict } from '../result.js';
import type { Consistency } from './consistency.js';
import type { GraphDescription } from './explain.js';
import { listAppendText, setFullText, watchText } from './file.js';
import { checkListAppend } from './list-append.js';
import { checkSetFull } from './set-full.js';
import { checkWatch } from './watch.js';

import type { ElleModel } from './models.js';

/** One finding as a report shows it: its kind, the explanation in words, and for cycles the graph to draw. */
export interface AnomalyEvidence {
  type: string;
  explanation: string;
  rulesOut?: string[];
  graph?: GraphDescription;
}

export interface ElleOutcome {
  model: ElleModel;
  valid: Verdict;
  /** What the property is called in a verdict line: "strict-serializable", "set-full", "watch guarantees". */
  property: string;
  /** The verdict line and every explanation: what `check` prints. */
  text: string;
  /** One line of `check --json` (without file and format). */
  json: Record<string, unknown>;
  /** The verdict in one sentence (results.json checker.message). */
  message: string;
  /** Anomaly kinds found, with counts. */
  counts: Record<string, number>;
  anomalies: AnomalyEvidence[];
  /** The checker's full result (check --evidence). */
  evidence: Record<string, unknown>;
  ms: number;
}

export interface ElleOptions {
  consistency?: Consistency;
  where?: (index: number) => string;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Runs the named checker on `ops`; throws a usage error (naming the op) for a malformed history. */
export function runElle(model: ElleModel, file: string, ops: readonly Op[], o: ElleOptions = {}): ElleOutcome {
  switch (model) {
    case 'list-append': {
      const r = checkListAppend(ops, { ...(o.consistency ? { consistency: o.consistency } : {}), ...(o.where ? { where: o.where } : {}) });
      const found = Object.entries(r.counts).map(([t, n]) => `${t} ×${n}`);
      const message =
        r.valid === true
          ? `${r.consistency} (${r.txns} txns, ${r.edges} dependency edges; list-append)`
          : r.valid === false
            ? `not ${r.consistency}: ${found.join(', ')} (rules out ${r.ruledOut.join(', ')})`
            : `undecided: ${r.unknownReason ?? 'cycle search truncated'}`;
      return {
        model,
        valid: r.valid,
        property: r.consistency,
        text: listAppendText(file, r),
        json: { valid: r.valid, model, consistency: r.consistency, txns: r.txns, edges: r.edges, anomalies: r.counts, ruledOut: r.ruledOut, truncated: r.truncated, ms: round(r.ms) },
        message,
        counts: r.counts,
        anomalies: r.anomalies.map((a) => ({ type: a.type, explanation: a.explanation, rulesOut: a.rulesOut, graph: a.graph })),
        evidence: { model, ...r },
        ms: r.ms,
      };
    }
    case 'set-full': {
      const r = checkSetFull(ops);
      const bad = Object.fromEntries(Object.entries(r.counts).filter(([k, n]) => n > 0 && k !== 'ok' && k !== 'never-read' && k !== 'unconfirmed'));
      const c = r.counts;
      const message =
        r.valid === true
          ? `set-full: ${c.ok} elements ok, none lost (${r.reads} reads${r.latency ? `; add→visible p50 ${(r.latency.p50 / 1e6).toFixed(1)} ms, max ${(r.latency.max / 1e6).toFixed(1)} ms` : ''})`
          : `set-full violated: ${Object.entries(bad).map(([k, n]) => `${k} ×${n}`).join(', ')}`;
      return {
        model,
        valid: r.valid,
        property: 'set-full',
        text: setFullText(file, r),
        json: { valid: r.valid, model, counts: r.counts, reads: r.reads, latency: r.latency, ms: round(r.ms) },
        message,
        counts: bad,
        anomalies: r.problems.map((p) => ({ type: p.kind, explanation: p.explanation })),
        evidence: { model, ...r },
        ms: r.ms,
      };
    }
    case 'watch': {
      const t0 = performance.now();
      const r = checkWatch(ops, o.where ? { where: o.where } : {});
      const ms = performance.now() - t0;
      const found = Object.entries(r.counts).map(([t, n]) => `${t} ×${n}`);
      const message =
        r.valid === true
          ? `watch guarantees hold (${r.watchers} watchers, ${r.streams} streams, ${r.events} events)`
          : `watch guarantees broken: ${found.join(', ')}`;
      return {
        model,
        valid: r.valid,
        property: 'watch guarantees',
        text: watchText(file, r),
        json: { valid: r.valid, model, watchers: r.watchers, streams: r.streams, events: r.events, broken: r.counts, ms: round(ms) },
        message,
        counts: r.counts as Record<string, number>,
        anomalies: r.violations.map((v) => ({ type: v.guarantee, explanation: v.explanation })),
        evidence: { model, ...r },
        ms,
      };
    }
  }
}
