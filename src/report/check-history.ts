// Runs the linearizability checker on a stored history with the run's model; any failure becomes `unknown`.
import type { Op } from '../history/op.js';
import { check, type CheckResult } from '../checker/index.js';
import { isElleModel } from '../checker/elle/models.js';
import type { AnomalyEvidence } from '../checker/elle/run.js';
import { elleCheck } from './elle-check.js';
import type { AnyModel } from '../model/model.js';
import { createModel } from '../model/registry.js';
import type { TestRecord } from '../spec/record.js';
import type { CheckerSummary } from './results.js';

export async function checkHistory(
  history: Op[],
  test: TestRecord | undefined,
  timeoutS: number,
): Promise<{ summary: CheckerSummary; result?: CheckResult; anomalies?: AnomalyEvidence[] }> {
  const t0 = performance.now();
  const base = { model: test?.model ?? null, failingKeys: [], partitions: 0 };
  const unknown = (message: string) => ({ summary: { ...base, valid: 'unknown' as const, message, ms: Math.round(performance.now() - t0) } });
  if (!test) return unknown('test.json is missing, so the model is unknown; no verdict');
  // Transactions, sets and watches are judged by Elle's checkers (src/checker/elle/run.ts), keyed by model.
  if (isElleModel(test.model)) return elleCheck(test.model, history);
  let model: AnyModel;
  try {
    model = createModel({ name: test.model, initial: test.initial });
  } catch (e) {
    return unknown(`${(e as Error).message}; fix "model" in test.json`);
  }
  try {
    const result = await check(history, model, { timeoutMs: timeoutS * 1000, evidence: 'failures' });
    const failingKeys = result.partitions.filter((p) => p.valid === false).map((p) => p.key ?? '(all)');
    const reasons = [...new Set(result.partitions.map((p) => p.reason).filter((r) => r && r !== 'cancelled'))];
    const message =
      result.valid === true
        ? `linearizable (${result.ops} ops, ${result.partitions.length} keys)`
        : result.valid === false
          ? `not linearizable: ${failingKeys.length} key(s) failed (${failingKeys.slice(0, 5).join(', ')})`
          : `undecided within limits (${reasons.join(', ') || 'unknown reason'}); raise --timeout to decide`;
    return {
      summary: { valid: result.valid, model: result.model, message, failingKeys, partitions: result.partitions.length, ms: Math.round(result.ms) },
      result,
    };
  } catch (e) {
    return unknown(`checker failed: ${(e as Error).message.split('\n')[0]}`);
  }
}
