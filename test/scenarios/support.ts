// Test helper: runs `faultline scenarios` (built CLI) into a temp dir and checks what every scenario must leave behind.
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import type { CatalogueSummary } from '../../src/scenario/catalogue.js';
import { findModule } from '../../src/scenario/registry.js';
import { spreadsOf } from '../../src/scenario/runner.js';
import { selectPresets } from '../../src/scenario/catalogue.js';
import type { ScenarioResult } from '../../src/scenario/types.js';
import { faultEvents } from '../../src/history/faults.js';
import { nodesOf } from '../../src/scenario/measure.js';
import { loadRun } from '../../src/report/load-run.js';
import { killCli, leftovers, startCli, type CliRun } from '../run/cli.js';

export function tempResults(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Host-lab nodes run as their own uids and must traverse to their data dirs below this one.
  chmodSync(dir, 0o755);
  return dir;
}

export interface CatalogueRun {
  code: number | null;
  stderr: string;
  summary: CatalogueSummary;
  results: ScenarioResult[];
}

export async function runScenarios(names: string[], results: string): Promise<CatalogueRun> {
  let run: CliRun | undefined;
  try {
    run = startCli(['scenarios', ...names, '--short', '--json', '--results', results]);
    const done = await run.done;
    const last = done.stdout.trim().split('\n').pop() ?? '';
    if (!last.startsWith('{')) throw new Error(`no JSON summary (exit ${done.code}): ${done.stderr.slice(-2000)}`);
    const summary = JSON.parse(last) as CatalogueSummary;
    const out = summary.scenarios.map((s) => JSON.parse(readFileSync(join(s.dir, 'scenario.json'), 'utf8')) as ScenarioResult);
    return { code: done.code, stderr: done.stderr, summary, results: out };
  } finally {
    killCli(run);
  }
}

/**
 * What holds for every scenario whatever its verdict: the trials the form promises, every run analysed, the
 * verdict re-derived from the stored numbers alone, the exit code matching the verdicts, nothing left running.
 */
export function checkCommon(r: CatalogueRun): void {
  const presets = selectPresets(r.results.map((x) => x.name));
  for (const [i, res] of r.results.entries()) {
    const p = presets[i]!;
    expect(res.schema).toBe('faultline.scenario/1');
    expect(['holds', 'does not hold', 'inconclusive']).toContain(res.verdict);
    expect(res.problems, res.name).toEqual([]);
    expect(res.reasons.length).toBeGreaterThan(0);
    for (const v of p.variants) expect(res.trials.filter((t) => t.variant === v.name).length, `${res.name}/${v.name} trials`).toBe(p.short.runs * p.short.faultsPerRun);
    for (const run of res.runs) {
      expect(existsSync(join(run.runDir, 'results.json'))).toBe(true);
      expect(existsSync(join(run.runDir, 'report.html'))).toBe(true);
      expect(leftovers(basename(run.runDir).split('-').pop()!)).toEqual([]);
    }
    // The verdict is a function of the recorded trials: recompute spreads and verdict from scenario.json alone.
    const module = findModule(res.kind)!;
    const spreads = spreadsOf(p, module.figures.map((f) => f.key), res.trials);
    expect(spreads).toEqual(res.spreads);
    expect(module.evaluate(p, spreads, res.trials).verdict).toBe(res.verdict);
    expect(existsSync(join(r.summary.dir, res.name, 'scenario.html'))).toBe(true);
  }
  const verdicts = r.results.map((x) => x.verdict);
  const expected = verdicts.includes('does not hold') ? 1 : verdicts.includes('inconclusive') ? 2 : 0;
  expect(r.code, r.stderr.slice(-1500)).toBe(expected);
  expect(existsSync(join(r.summary.dir, 'summary.html'))).toBe(true);
}

/** Figures of every trial of a variant. */
export const figures = (res: ScenarioResult, variant: string, key: string): (number | null)[] =>
  res.trials.filter((t) => t.variant === variant).map((t) => t.figures[key] ?? null);

/** Trial k of a variant as an assertion message shows it: its figures, notes and whether a harness stall overlapped it. */
export const trialText = (res: ScenarioResult, variant: string, k: number): string => {
  const t = res.trials.filter((x) => x.variant === variant)[k];
  return t ? JSON.stringify({ variant, atS: t.atS, suspect: t.suspect, figures: t.figures, notes: t.notes, runDir: t.runDir }) : `${variant}: no trial ${k}`;
};

/**
 * Trial k's kill → new leader time, or null when no survivor won before the killed node came back. A null passes
 * only as a slow election of etcd's own (a candidate behind on its log, split votes): one node was killed, a
 * survivor campaigned, a survivor refused a vote (so vote requests did pass between them), and no write was
 * acknowledged from the kill to the restart, which the client history shows independently of the log lines.
 */
export function newLeaderOrSlowElection(res: ScenarioResult, variant: string, k: number): number | null {
  const t = res.trials.filter((x) => x.variant === variant)[k];
  expect(t, `${variant}: no trial ${k}`).toBeDefined();
  const what = trialText(res, variant, k);
  const e = faultEvents(loadRun(t!.runDir).history)[t!.event];
  expect(e?.fault, what).toBe('kill');
  expect(nodesOf(e!.startValue), what).toHaveLength(1);
  const leader = t!.figures['newLeaderS'] ?? null;
  if (leader !== null) return leader;
  expect(t!.notes.some((n) => n.includes('first campaign by')), `no survivor campaigned: ${what}`).toBe(true);
  expect(t!.notes.some((n) => n.startsWith('votes refused: ')), `no vote refused, so did the survivors' vote requests arrive? ${what}`).toBe(true);
  // From the kill's completion to the restart: the old leader may acknowledge writes until the kill lands.
  const heldS = (e!.stop! - e!.started) / 1e9;
  expect(t!.figures['unavailableS']!, `writes were acknowledged without a new leader: ${what}`).toBeGreaterThanOrEqual(heldS - 0.1);
  console.log(`${variant} trial ${k}: no new leader before the restart, a slow election: ${t!.notes.join(' | ')}`);
  return null;
}
