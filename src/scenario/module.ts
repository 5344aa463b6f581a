// The seam between the framework and a scenario: what it measures per fault event and how numbers become a verdict.
import type { TrialRun } from './trial.js';
import type { Evaluation, FigureDef, Form, ScenarioPreset, Spread, Trial } from './types.js';

export interface ScenarioModule {
  kind: string;
  /** Figures each trial carries, in display order. */
  figures: FigureDef[];
  /** One trial per fault event of the run (a failed action yields a trial with notes, not silence). */
  measure(run: TrialRun, preset: ScenarioPreset, form: Form): Trial[];
  /**
   * The verdict from the numbers. `spreads` are over trials not marked suspect (a harness stall) when a
   * variant has any, `trials` are all of them.
   */
  evaluate(preset: ScenarioPreset, spreads: Record<string, Record<string, Spread>>, trials: readonly Trial[]): Evaluation;
}

/** A trial skeleton for one fault event. */
export function trialOf(run: TrialRun, event: number, atNs: number, suspect: boolean): Trial {
  return { variant: run.variant.name, runDir: run.runDir, event, atS: Math.round(atNs / 1e6) / 1e3, figures: {}, suspect, notes: [] };
}

/** The median of a figure of a variant, or null. */
export function med(spreads: Record<string, Record<string, Spread>>, variant: string, key: string): number | null {
  return spreads[variant]?.[key]?.median ?? null;
}

/** Evaluation that says which variant had nothing to judge. */
export function missing(spreads: Record<string, Record<string, Spread>>, needs: readonly [string, string][]): Evaluation | null {
  const absent = needs.filter(([v, k]) => med(spreads, v, k) === null).map(([v, k]) => `${k} of ${v}`);
  if (absent.length === 0) return null;
  return { verdict: 'inconclusive', reasons: [`no trial measured ${absent.join(', ')} (see problems and the runs' reports)`] };
}
