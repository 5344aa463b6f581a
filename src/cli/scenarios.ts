// `faultline scenarios`: run the scenario catalogue (or named scenarios) and print each claim's verdict with its numbers.
import { relative } from 'node:path';
import { onInterrupt } from '../lab/cleanup.js';
import { runCatalogue, selectPresets, SUMMARY_PAGE } from '../scenario/catalogue.js';
import { describe } from '../scenario/stats.js';
import type { FormName, ScenarioResult } from '../scenario/types.js';
import { parseOptions } from '../util/args.js';
import { EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';
import { parseSystemFlags, SYSTEM_FLAGS, systemFlagsUsage } from './system-flags.js';

const USAGE = `usage: faultline scenarios [NAME...] [options]

Reproduces the textbook claims about Raft clusters on real stores, one preset per claim (scenarios/*.json):
each runs its trials through \`faultline run\`, measures, and ends with a verdict: holds, does not hold, or
inconclusive, with the numbers and their spread. No NAME runs them all.

  --short            few trials, seconds per scenario (default)
  --full             the full number of trials (minutes per scenario)
  --list             list the scenarios and their claims, run nothing
  --results DIR      results root (default ./results); output in DIR/scenarios/<stamp>-<id>/:
                     summary.html, summary.json, <name>/scenario.json, <name>/scenario.html, <name>/runs/...
  --json             print the summary as JSON on stdout (progress goes to stderr)
  (each preset names its store, etcd by default; --system runs every selected preset on another)
${systemFlagsUsage()}

exit codes: 0 every claim holds, 1 some claim does not hold, 2 some verdict inconclusive (none failed),
            3 bad usage or preset, 4 environment (missing store, no root for the lab)
`;

const OPTIONS = {
  short: { type: 'boolean' },
  full: { type: 'boolean' },
  list: { type: 'boolean' },
  results: { type: 'string' },
  json: { type: 'boolean' },
  ...SYSTEM_FLAGS,
} as const;

const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

export function exitCodeOf(results: readonly ScenarioResult[]): number {
  if (results.some((r) => r.verdict === 'does not hold')) return EXIT.invalid;
  if (results.length === 0 || results.some((r) => r.verdict === 'inconclusive')) return EXIT.unknown;
  return EXIT.valid;
}

export const command: Command = {
  summary: 'reproduce the textbook Raft claims (pre-vote, leader crash, ...) with verdicts and numbers',
  usage: USAGE,
  async run(argv) {
    const { values: v, positionals } = parseOptions('scenarios', argv, OPTIONS);
    if (v.short && v.full) throw usageError('faultline scenarios: give --short or --full, not both');
    const form: FormName = v.full ? 'full' : 'short';
    const presets = selectPresets(positionals);
    const flags = parseSystemFlags('scenarios', v);
    for (const p of presets) {
      if (flags.system) p.cluster.system = flags.system;
      if (flags.systemOptions) p.cluster.systemOptions = { ...p.cluster.systemOptions, ...flags.systemOptions };
    }
    const out = v.json ? process.stderr : process.stdout;
    if (v.list) {
      const lines = presets.map((p) => `${p.name.padEnd(20)} ${p.claim}`);
      if (v.json) process.stdout.write(JSON.stringify(presets.map((p) => ({ name: p.name, title: p.title, claim: p.claim, kind: p.kind, short: p.short, full: p.full }))) + '\n');
      else process.stdout.write(lines.join('\n') + '\n');
      return EXIT.valid;
    }
    const interrupt = onInterrupt(out, 'faultline: interrupted: finishing the current run (heal, teardown); the results so far are kept');
    try {
      const { summary, results } = await runCatalogue(presets, v.results ?? 'results', {
        form,
        command: ['faultline', 'scenarios', ...argv],
        progress: out,
        signal: interrupt.signal,
        log: (line) => out.write(`== ${line}\n`),
        ...(flags.binPath ? { binPath: flags.binPath } : {}),
      });
      for (const r of results) {
        out.write(`\n${r.title}: ${r.verdict.toUpperCase()}\n  claim: ${r.claim}\n`);
        for (const x of r.reasons) out.write(`  - ${x}\n`);
        for (const f of r.figures) {
          const cells = r.variants.map((va) => `${va.label}: ${describe(r.spreads[va.name]![f.key]!, f.unit)}`);
          out.write(`    ${f.label}: ${cells.join(' | ')}\n`);
        }
      }
      out.write(`\nsummary: ${shown(summary.dir)}/${SUMMARY_PAGE}\n`);
      if (v.json) process.stdout.write(JSON.stringify(summary) + '\n');
      return exitCodeOf(results);
    } finally {
      interrupt.done();
    }
  },
};
