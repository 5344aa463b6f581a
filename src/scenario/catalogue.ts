// Runs a list of scenarios into one invocation directory and writes its summary.json and summary.html.
import { rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newRunId } from '../lab/ledger.js';
import { runStamp } from '../results/layout.js';
import { usageError } from '../util/errors.js';
import { loadPreset, presetFiles } from './preset.js';
import { scenarioKinds } from './registry.js';
import { writeAtomic } from '../util/atomic.js';
import { runScenario, type ScenarioOptions } from './runner.js';
import { scenarioPage } from './summary-page.js';
import type { FormName, ScenarioPreset, ScenarioResult, ScenarioVerdict } from './types.js';
import { makeDirs } from '../util/dirs.js';

export const SUMMARY_JSON = 'summary.json';
export const SUMMARY_PAGE = 'summary.html';

export interface CatalogueSummary {
  schema: 'faultline.scenarios/1';
  dir: string;
  form: FormName;
  startedAt: string;
  durationS: number;
  scenarios: { name: string; title: string; claim: string; verdict: ScenarioVerdict; reasons: string[]; trials: number; dir: string }[];
}

/** Every preset, or the named ones in the order given; an unknown name is a usage error listing the known. */
export function selectPresets(names: readonly string[]): ScenarioPreset[] {
  const files = presetFiles();
  const kinds = scenarioKinds();
  if (names.length === 0) return files.map((f) => loadPreset(f.file, kinds));
  return names.map((n) => {
    const f = files.find((x) => x.name === n);
    if (!f) throw usageError(`faultline scenarios: unknown scenario "${n}" (known: ${files.map((x) => x.name).join(', ')})`);
    return loadPreset(f.file, kinds);
  });
}


export async function runCatalogue(presets: readonly ScenarioPreset[], resultsRoot: string, o: Omit<ScenarioOptions, 'dir'>): Promise<{ summary: CatalogueSummary; results: ScenarioResult[] }> {
  const started = new Date();
  const base = resolve(resultsRoot, 'scenarios');
  const name = `${runStamp(started)}-${newRunId()}`;
  const dir = join(base, name);
  try {
    // World-traversable: host-lab nodes run as their own uids and must reach their data dirs below.
    makeDirs(dir, 0o755);
  } catch (e) {
    throw usageError(`cannot write results to ${dir}: ${(e as Error).message.split('\n')[0]} (choose another --results DIR)`);
  }
  const link = join(base, 'latest');
  rmSync(link, { force: true });
  try {
    symlinkSync(name, link);
  } catch {
    // No symlinks here: only the shortcut is missing.
  }
  const results: ScenarioResult[] = [];
  const t0 = performance.now();
  const write = (): CatalogueSummary => {
    const summary: CatalogueSummary = {
      schema: 'faultline.scenarios/1',
      dir,
      form: o.form,
      startedAt: started.toISOString(),
      durationS: Math.round(performance.now() - t0) / 1000,
      scenarios: results.map((r) => ({ name: r.name, title: r.title, claim: r.claim, verdict: r.verdict, reasons: r.reasons, trials: r.trials.length, dir: join(dir, r.name) })),
    };
    writeAtomic(join(dir, SUMMARY_JSON), JSON.stringify(summary, null, 1) + '\n');
    writeAtomic(join(dir, SUMMARY_PAGE), scenarioPage(results, { title: `faultline scenarios (${o.form} form, ${started.toISOString().slice(0, 16)}Z)`, pageDir: dir }));
    return summary;
  };
  for (const p of presets) {
    if (o.signal?.aborted) break;
    results.push(await runScenario(p, { ...o, dir }));
    // Rewritten after each scenario: a long matrix interrupted half-way still has a summary of what ran.
    write();
  }
  return { summary: write(), results };
}
