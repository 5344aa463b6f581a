// `faultline report [RESULTS_DIR]`: rebuilds every stored run's report.html and junit.xml, and results/index.html.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { rebuildRun, analyzeRun } from '../report/analyze-run.js';
import { findRuns, writeIndex } from '../report/index-page.js';
import { parseOptions, parseCheckerTimeout } from '../util/args.js';
import { EXIT, FaultlineError, usageError } from '../util/errors.js';
import type { Command } from './command.js';

const USAGE = `usage: faultline report [RESULTS_DIR] [--reanalyze] [--timeout S] [--json]

Rebuilds report.html and junit.xml of every run under RESULTS_DIR (default ./results) from its stored
results.json and evidence.json, analyses runs that were never analysed, and writes RESULTS_DIR/index.html.
  --reanalyze   re-run the checker and every measurement for every run (slower)
  --timeout S   checker deadline per run when analysing (default 120)
  --json        print one JSON object: {"index": PATH, "runs": [{"dir", "valid", "report"}]}
exit codes: 0 all runs valid, 1 some run invalid, 2 some run unknown (none invalid), 3 bad usage or input`;

export const command: Command = {
  summary: 'rebuild run reports and results/index.html from stored runs',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseOptions('report', argv, {
      reanalyze: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 1) throw usageError(`faultline report: expected at most one RESULTS_DIR, got ${positionals.length} (see: faultline report --help)`);
    const timeoutS = parseCheckerTimeout('report', values.timeout);
    const root = resolve(positionals[0] ?? 'results');
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw usageError(`faultline report: ${root} is not a directory; pass the results directory (default ./results)`);
    }
    const runs: { dir: string; valid: boolean | 'unknown'; report: string }[] = [];
    for (const dir of findRuns(root).sort()) {
      try {
        const r = values.reanalyze ? await analyzeRun(dir, { timeoutS }) : await rebuildRun(dir, { timeoutS });
        // A benchmark has no verdict, so it never decides the exit code.
        if (!r.bench) runs.push({ dir, valid: r.valid, report: r.reportPath });
        if (!values.json) process.stdout.write(`${r.bench ? 'bench  ' : r.valid === true ? 'valid  ' : r.valid === false ? 'INVALID' : 'unknown'} ${r.reportPath}\n`);
      } catch (e) {
        // One broken run must not hide the others: name it and carry on.
        if (!(e instanceof FaultlineError)) throw e;
        process.stderr.write(`faultline report: skipped ${dir}: ${e.message}\n`);
      }
    }
    const index = writeIndex(root);
    if (values.json) process.stdout.write(JSON.stringify({ index, runs }) + '\n');
    else process.stdout.write(`${runs.length} run(s) with a verdict; index: ${index}\n`);
    if (runs.some((r) => r.valid === false)) return EXIT.invalid;
    if (runs.some((r) => r.valid === 'unknown')) return EXIT.unknown;
    return EXIT.valid;
  },
};
