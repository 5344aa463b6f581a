// Runs one scenario: its variants' trial runs (interleaved), the measurements, the verdict, scenario.json and its page.
import { writeAtomic } from '../util/atomic.js';
import { join } from 'node:path';
import { FaultlineError, EXIT } from '../util/errors.js';
import { findModule } from './registry.js';
import { spread } from './stats.js';
import { scenarioPage } from './summary-page.js';
import { runTrial, type TrialOptions } from './trial.js';
import type { FormName, ScenarioPreset, ScenarioResult, ScenarioRunInfo, Spread, Trial } from './types.js';
import { makeDirs } from '../util/dirs.js';

export const SCENARIO_FILE = 'scenario.json';
export const SCENARIO_PAGE = 'scenario.html';

export interface ScenarioOptions extends Omit<TrialOptions, 'resultsDir'> {
  form: FormName;
  /** The invocation's directory: the scenario goes to <dir>/<name>/. */
  dir: string;
  /** One line per trial run, for progress. */
  log: (line: string) => void;
}

/** Spreads per variant and figure, over the variant's unsuspected trials when it has any. */
export function spreadsOf(p: ScenarioPreset, figures: readonly string[], trials: readonly Trial[], includeSuspect = false): Record<string, Record<string, Spread>> {
  const out: Record<string, Record<string, Spread>> = {};
  for (const v of p.variants) {
    const mine = trials.filter((t) => t.variant === v.name);
    const clean = mine.filter((t) => !t.suspect);
    const use = clean.length > 0 && !includeSuspect ? clean : mine;
    out[v.name] = Object.fromEntries(figures.map((k) => [k, spread(use.map((t) => t.figures[k]))]));
  }
  return out;
}

export async function runScenario(p: ScenarioPreset, o: ScenarioOptions): Promise<ScenarioResult> {
  const module = findModule(p.kind);
  if (!module) throw new FaultlineError(`scenario ${p.name}: unknown kind ${p.kind}`, EXIT.usage);
  const form = p[o.form];
  const dir = join(o.dir, p.name);
  makeDirs(dir, 0o755);
  const started = new Date();
  const t0 = performance.now();
  const trials: Trial[] = [];
  const runs: ScenarioRunInfo[] = [];
  const problems: string[] = [];
  // Variants alternate run by run, so a machine that gets busier part-way hurts every arm alike.
  for (let r = 0; r < form.runs; r++) {
    for (const v of p.variants) {
      if (o.signal?.aborted) break;
      o.log(`${p.name}: ${v.label}: run ${r + 1}/${form.runs}`);
      try {
        const run = await runTrial(p, v, form, { ...o, resultsDir: join(dir, 'runs') });
        runs.push({ runDir: run.runDir, variant: v.name, valid: run.results.valid, seed: run.summary.seed, errors: run.summary.errors });
        const got = module.measure(run, p, form);
        if (got.length < form.faultsPerRun) problems.push(`${run.runDir}: ${got.length} of ${form.faultsPerRun} fault events measured`);
        trials.push(...got);
      } catch (e) {
        // A machine that cannot run the lab at all stops everything; anything else costs one run, said plainly.
        if (e instanceof FaultlineError && e.code === EXIT.environment) throw e;
        problems.push(`${v.name} run ${r + 1}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  const spreads = spreadsOf(p, module.figures.map((f) => f.key), trials);
  const evaluation = trials.length > 0 ? module.evaluate(p, spreads, trials) : { verdict: 'inconclusive' as const, reasons: ['no trial completed'] };
  const suspect = trials.filter((t) => t.suspect).length;
  if (suspect > 0) {
    // Suspect trials are dropped only from variants that still have clean ones; say which happened.
    const kept = p.variants.filter((v) => trials.some((t) => t.variant === v.name) && trials.filter((t) => t.variant === v.name).every((t) => t.suspect)).map((v) => v.label);
    evaluation.reasons.push(
      `${suspect} of ${trials.length} trials overlapped a harness stall (>= 250 ms)${kept.length ? `; ${kept.join(', ')} had no other trial, so the medians there include them` : ' and were left out of the medians'} (scenario.json spreadsAll has every trial).`,
    );
  }
  if (o.signal?.aborted) {
    evaluation.verdict = 'inconclusive';
    evaluation.reasons.unshift('interrupted before every trial ran');
  }
  const result: ScenarioResult = {
    schema: 'faultline.scenario/1',
    name: p.name,
    title: p.title,
    claim: p.claim,
    kind: p.kind,
    form: o.form,
    formSettings: form,
    cluster: p.cluster,
    variants: p.variants,
    criteria: p.criteria,
    startedAt: started.toISOString(),
    durationS: Math.round(performance.now() - t0) / 1000,
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    figures: module.figures,
    spreads,
    spreadsAll: spreadsOf(p, module.figures.map((f) => f.key), trials, true),
    trials,
    runs,
    problems,
    command: o.command,
  };
  writeAtomic(join(dir, SCENARIO_FILE), JSON.stringify(result, null, 1) + '\n');
  writeAtomic(join(dir, SCENARIO_PAGE), scenarioPage([result], { title: `faultline scenario: ${p.title}`, pageDir: dir }));
  return result;
}
