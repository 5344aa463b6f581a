// `faultline publish OUT`: write a static site (home, reports, trends, sweeps) from a results directory.
import { publishSite } from '../publish/site.js';
import { parseOptions } from '../util/args.js';
import { EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';

const USAGE = `usage: faultline publish OUT [--results DIR] [--json]

Writes a static site to OUT from the runs under DIR (default ./results): OUT/index.html lists every test with
its latest verdict and links to its trend page (verdict history, p99 commit latency, unavailability and
leader changes over time); OUT/runs/ holds every analysed run's report.html, results.json and junit.xml, and
an index of all runs; OUT/sweeps/ holds every tuning sweep's page. Pages work offline and from any static
host; browse locally with \`faultline serve OUT\`. OUT must be new, empty, or an earlier publish (replaced).
  --json   print {"out", "runs", "skipped", "trends", "sweeps"} on stdout
exit codes: 0 written, 3 usage (bad OUT or DIR)`;

export const command: Command = {
  summary: 'write a static site of all runs, trends and sweeps',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseOptions('publish', argv, { results: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw usageError(`faultline publish: give exactly one OUT directory, e.g. faultline publish site (see: faultline publish --help)`);
    const r = publishSite(values.results ?? 'results', positionals[0]!);
    if (values.json) process.stdout.write(JSON.stringify({ out: r.out, runs: r.runs, skipped: r.skipped, trends: r.trends, sweeps: r.sweeps }) + '\n');
    else process.stdout.write(`published ${r.runs} run(s), ${r.trends} trend page(s), ${r.sweeps} sweep(s) to ${r.out}/index.html${r.skipped.length ? `; ${r.skipped.length} run(s) without a report left out (run faultline report first)` : ''}\n`);
    return EXIT.valid;
  },
};
