// `faultline compare BASE CAND`: commit-latency, throughput and unavailability regression gate between runs.
import { compareRuns } from '../compare/compare.js';
import { formatJson, formatMarkdown, formatText } from '../compare/format.js';
import { loadSide } from '../compare/load.js';
import { DEFAULT_UNAVAILABILITY_FLOOR_S, parseThresholds } from '../compare/verdict.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';

const USAGE = `usage: faultline compare BASE CAND [--max-regression p99=10%,p50=10%,throughput=5%,unavailability=20%]
                         [--json | --markdown] [--resamples N] [--seed N] [--unavailability-floor S]

Compares the runs of CAND with those of BASE. Each is a run directory (results/<test>/<run>), a directory
of runs (results/<test>/, results/) or a quoted glob ('results/register/2026*').
Metrics:
  p50, p99        commit latency: invoke (or intended start, for rate-limited runs) → ok, of write, put,
                  append and cas ops invoked during the load phase (warm-up through recovery)
  throughput      ok ops per second over the load phase (mean of per-second counts)
  unavailability  seconds inside unavailability windows (results.json availability.totalS), mean per run
For each: both values, the relative change and its 95% confidence interval from a seeded hierarchical
bootstrap: resample runs, then seconds of load within each run (a second's ops stay together, so a burst of
slowness counts once, not as many independent samples). Verdict per metric: regression iff the whole
interval lies past the allowed change on the worse side; improvement iff wholly past it on the better side;
else no significant change. Unavailability is resampled over runs only: with one run on a side there is no
interval, and the point change decides only if it also exceeds the floor (default 0.5 s).
One run a side cannot show run-to-run variation (another tenant's load, a fresh cluster): on a noisy machine
pass several runs per side (results/<test>/ or a glob) so the interval includes it.

  --max-regression LIST    allowed change per metric in percent (defaults shown above)
  --json                   the whole comparison as JSON (schema faultline.compare/1)
  --markdown               a table for a pull-request comment
  --resamples N            bootstrap replicates per side (default 2000, 100..100000)
  --seed N                 resampling seed (default 1): the same inputs give the same answer
  --unavailability-floor S smallest unavailability change, in seconds, that can be a verdict (default 0.5)
exit codes: 0 no regression, 1 regression, 3 bad input (no runs found, unreadable run, bad option)`;

export const command: Command = {
  summary: 'regression gate: commit latency, throughput, unavailability of CAND runs vs BASE runs',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseOptions('compare', argv, {
      'max-regression': { type: 'string' },
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      resamples: { type: 'string' },
      seed: { type: 'string' },
      'unavailability-floor': { type: 'string' },
    });
    if (positionals.length !== 2) {
      throw usageError(`faultline compare: needs exactly BASE and CAND, got ${positionals.length} argument(s); quote globs so the shell does not expand them (see: faultline compare --help)`);
    }
    if (values.json && values.markdown) throw usageError('faultline compare: --json and --markdown exclude each other; pick one');
    const resamples = parseNumber('compare', 'resamples', values.resamples, 100) ?? 2000;
    if (!Number.isInteger(resamples) || resamples > 100_000) throw usageError(`faultline compare: --resamples must be an integer 100..100000, got "${values.resamples}"`);
    const seed = parseNumber('compare', 'seed', values.seed, 0) ?? 1;
    if (!Number.isInteger(seed)) throw usageError(`faultline compare: --seed must be an integer, got "${values.seed}"`);
    const floor = parseNumber('compare', 'unavailability-floor', values['unavailability-floor'], 0) ?? DEFAULT_UNAVAILABILITY_FLOOR_S;
    const thresholds = parseThresholds(values['max-regression']);
    const base = loadSide(positionals[0]!, 'BASE');
    const cand = loadSide(positionals[1]!, 'CAND');
    const report = compareRuns(base, cand, { thresholds, resamples, seed, unavailabilityFloorS: floor });
    const out = values.json ? formatJson(report) : values.markdown ? formatMarkdown(report) : formatText(report);
    process.stdout.write(out);
    return report.verdict === 'regression' ? EXIT.invalid : EXIT.valid;
  },
};
