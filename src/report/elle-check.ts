// A stored run of a list-append, set-full or watch workload, checked by Elle's checkers instead of linearizability.
import type { AnomalyEvidence } from '../checker/elle/run.js';
import type { ElleModel } from '../checker/elle/models.js';
import { runElle } from '../checker/elle/run.js';
import type { Op } from '../history/op.js';
import type { CheckerSummary } from './results.js';

export interface ElleCheck {
  summary: CheckerSummary;
  anomalies: AnomalyEvidence[];
}

/**
 * Never throws: a malformed history is an `unknown` verdict with the reason, as for linearizability.
 * `failingKeys` lists the keys the anomalies name (list-append), else the anomaly kinds; `partitions`
 * counts the anomalies found.
 */
export function elleCheck(model: ElleModel, history: readonly Op[]): ElleCheck {
  const t0 = performance.now();
  try {
    const r = runElle(model, 'history.jsonl', history);
    const keys = [...new Set(r.anomalies.map((a) => a.graph?.edges.find((e) => e.key !== undefined)?.key ?? a.type))];
    return {
      summary: { valid: r.valid, model, property: r.property, message: r.message, failingKeys: r.valid === false ? keys : [], partitions: Object.values(r.counts).reduce((s, n) => s + n, 0), ms: Math.round(r.ms) },
      anomalies: r.anomalies,
    };
  } catch (e) {
    return {
      summary: { valid: 'unknown', model, message: `checker failed: ${(e as Error).message.split('\n')[0]}`, failingKeys: [], partitions: 0, ms: Math.round(performance.now() - t0) },
      anomalies: [],
    };
  }
}
