// Analysis of a stored run through analyzeRun (src/report/analyze-run.ts), and the verdict's exit code.
import { EXIT, type ExitCode } from '../util/errors.js';

export type Verdict = true | false | 'unknown';

/** What analyzeRun returns (a type import: the report side is still loaded only on use). */
export type Analysis = import('../report/analyze-run.js').AnalyzeResult;

/**
 * Loaded on use: the checker and report code is large, and `run` must have recorded and torn down its run
 * before anything on the analysis side can fail.
 */
export async function analyze(runDir: string, options: { timeoutS?: number } = {}): Promise<Analysis> {
  const { analyzeRun } = await import('../report/analyze-run.js');
  return analyzeRun(runDir, options);
}

export function exitCodeOf(valid: Verdict): ExitCode {
  return valid === true ? EXIT.valid : valid === false ? EXIT.invalid : EXIT.unknown;
}

export function verdictWord(valid: Verdict): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}
