// Analyses one stored run: checker verdict, every figure, and the files results.json, report.html, junit.xml, evidence.json.
import { existsSync, readFileSync } from 'node:fs';
import { writeAtomic } from '../util/atomic.js';
import { dirname, join, resolve } from 'node:path';
import { RUN_FILES } from '../results/layout.js';
import { usageError } from '../util/errors.js';
import { checkHistory } from './check-history.js';
import type { DurabilityFigures } from './durability.js';
import type { EvidenceFile } from './evidence-view.js';
import { evidenceView } from './evidence-view.js';
import { buildReportHtml, type TimelinePoint } from './html.js';
import { writeIndex } from './index-page.js';
import { buildJunit } from './junit.js';
import { loadRun, type RunData } from './load-run.js';
import { logExcerpts } from './log-excerpts.js';
import { electionsFromLogs } from './log-elections.js';
import { measure } from './measure.js';
import type { ResultsFile, Verdict } from './results.js';

export interface AnalyzeOptions {
  /** Checker deadline in seconds (verdict unknown past it). Default 120. */
  timeoutS?: number;
  /** Unavailability threshold in seconds. Default 1. */
  unavailableS?: number;
}

export interface AnalyzeResult {
  valid: Verdict;
  resultsPath: string;
  reportPath: string;
  /** Set for a `faultline bench` run: a benchmark has no linearizability verdict. */
  bench?: boolean;
  /** What the final reads show (register and kv runs): results.json `durability`. */
  durability?: DurabilityFigures | null;
}

/** results/<test-name>/<run>/ → results/ */
export const resultsRoot = (runDir: string): string => dirname(dirname(resolve(runDir)));

function timeline(run: RunData): TimelinePoint[] {
  return electionsFromLogs(run.logs, run.test?.t0EpochMs ?? 0, run.system).map((e) => ({ t: Math.round(e.time / 1e6) / 1e3, node: e.node, event: e.event, term: e.term }));
}

/** Writes report.html and junit.xml of a run from its figures and evidence (logs re-read for the timeline). */
export function renderRun(run: RunData, results: ResultsFile, evidence: EvidenceFile): string {
  const reportPath = join(run.dir, RUN_FILES.report);
  const excerpts = logExcerpts(run.logs, run.test?.t0EpochMs ?? 0, results.raft.elections, run.system);
  writeAtomic(reportPath, buildReportHtml({ results, evidence, timeline: timeline(run), excerpts }));
  writeAtomic(join(run.dir, RUN_FILES.junit), buildJunit(results));
  return reportPath;
}

export async function analyzeRun(runDir: string, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const run = loadRun(runDir);
  const { summary, result, anomalies } = await checkHistory(run.history, run.test, options.timeoutS ?? 120);
  const { results, calls } = measure(run, summary, { unavailableS: options.unavailableS });
  const evidence = anomalies ? { valid: summary.valid, keys: [], anomalies } : evidenceView(result, calls);
  const resultsPath = join(runDir, RUN_FILES.results);
  writeAtomic(join(runDir, RUN_FILES.evidence), JSON.stringify(evidence));
  writeAtomic(resultsPath, JSON.stringify(results, null, 1));
  const reportPath = renderRun(run, results, evidence);
  writeIndex(resultsRoot(runDir));
  return { valid: results.valid, resultsPath, reportPath, durability: results.durability ?? null };
}

/**
 * Rebuilds report.html and junit.xml from a run's stored results.json and evidence.json (no re-check); a run
 * that was never analysed is analysed in full.
 */
export async function rebuildRun(runDir: string, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const resultsPath = join(runDir, RUN_FILES.results);
  if (!existsSync(resultsPath)) return analyzeRun(runDir, options);
  let results: ResultsFile;
  try {
    results = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  } catch {
    throw usageError(`${resultsPath}: not valid JSON; delete it and run \`faultline analyze ${runDir}\``);
  }
  const evPath = join(runDir, RUN_FILES.evidence);
  const evidence: EvidenceFile = existsSync(evPath) ? (JSON.parse(readFileSync(evPath, 'utf8')) as EvidenceFile) : { valid: results.valid, keys: [] };
  let run: RunData;
  try {
    run = loadRun(runDir);
  } catch {
    // A bench run or a run whose inputs were removed: the figures alone still make a report.
    run = { dir: runDir, history: [], events: [], logs: {}, metrics: [], problems: [] };
  }
  const reportPath = renderRun(run, results, evidence);
  return { valid: results.valid, resultsPath, reportPath, ...(results.bench ? { bench: true } : {}) };
}
