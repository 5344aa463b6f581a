// `faultline analyze RUN`: re-check a stored run (also a killed run's prefix), print the verdict, exit 0/1/2.
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, exitCodeOf, verdictWord } from '../run/analyze.js';
import { RUN_FILES } from '../results/layout.js';
import { parseCheckerTimeout, parseOptions } from '../util/args.js';
import { usageError } from '../util/errors.js';
import type { Command } from './command.js';

const USAGE = `usage: faultline analyze RUN [--timeout S] [--json]

Checks a stored run directory (results/<test>/<run>, or results/<test>/latest) and rewrites results.json,
report.html, junit.xml and evidence.json. Works on the prefix left by a killed harness.

  --timeout S   checker deadline in seconds; past it the verdict is unknown (default 120)
  --json        print {"valid":..., "resultsPath":..., "reportPath":...} on stdout

exit codes: 0 valid, 1 invalid, 2 unknown, 3 bad input or usage
`;

export const command: Command = {
  summary: 'check a stored run again and rewrite its results and report',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseOptions('analyze', argv, { timeout: { type: 'string' }, json: { type: 'boolean' } });
    const timeoutS = parseCheckerTimeout('analyze', values.timeout);
    if (positionals.length !== 1) throw usageError('faultline analyze: give one run directory, e.g. faultline analyze results/register/latest');
    const dir = positionals[0]!;
    if (!existsSync(join(dir, RUN_FILES.history))) throw usageError(`faultline analyze: ${dir} is not a run directory (no ${RUN_FILES.history}); runs are under results/<test>/`);
    const a = await analyze(realpathSync(dir), timeoutS !== undefined ? { timeoutS } : {});
    if (values.json) process.stdout.write(JSON.stringify(a) + '\n');
    else process.stdout.write(`verdict: ${verdictWord(a.valid)}\nreport: ${a.reportPath}\n`);
    return exitCodeOf(a.valid);
  },
};
