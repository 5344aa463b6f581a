#!/usr/bin/env node
// Entry point of the `faultline` binary: dispatches to one module per subcommand.
import { FaultlineError, EXIT } from '../util/errors.js';
import type { Command } from './command.js';

/**
 * One line per command: its module, loaded only when the command runs, and its one-line summary, kept
 * here so `faultline --help` loads no command module at all (they pull in clusters, reports, vega...).
 * test/checker/cli-main.test.ts checks each summary against the module's own.
 */
const COMMANDS: Record<string, { load: () => Promise<{ command: Command }>; summary: string }> = {
  check: { load: () => import('./check.js'), summary: 'check histories for linearizability or Elle consistency (JSONL, Jepsen EDN, Porcupine logs)' },
  run: { load: () => import('./run.js'), summary: 'run a test against a real cluster, check it, write the report' },
  analyze: { load: () => import('./analyze.js'), summary: 'check a stored run again and rewrite its results and report' },
  lab: { load: () => import('./lab.js'), summary: 'start a cluster by hand (up), stop it (down), list runs (status), remove leftovers (sweep)' },
  report: { load: () => import('./report.js'), summary: 'rebuild run reports and results/index.html from stored runs' },
  bench: { load: () => import('./bench.js'), summary: 'commit-latency benchmark (autocannon) against leader and followers' },
  compare: { load: () => import('./compare.js'), summary: 'regression gate: commit latency, throughput, unavailability of CAND runs vs BASE runs' },
  sweep: { load: () => import('./sweep.js'), summary: 'measure a grid of Raft timings (heartbeat × election × pre-vote) and recommend one' },
  publish: { load: () => import('./publish.js'), summary: 'write a static site of all runs, trends and sweeps' },
  serve: { load: () => import('./serve.js'), summary: 'serve a published site on 127.0.0.1 for local browsing' },
  scenarios: { load: () => import('./scenarios.js'), summary: 'reproduce the textbook Raft claims (pre-vote, leader crash, ...) with verdicts and numbers' },
};

// A reader that went away (`faultline lab status | head`) is not an error. Exiting here would skip a run's
// teardown, so further output is dropped and the command finishes what it started.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = ['usage: faultline <command> [options]', '', 'commands:'];
    for (const [n, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${n.padEnd(9)} ${summary}`);
    lines.push('', 'exit codes: 0 valid, 1 invalid, 2 unknown, 3 bad input or usage, 4 environment, 70 internal error, 130/143 interrupted');
    process.stdout.write(lines.join('\n') + '\n');
    return name === undefined ? EXIT.usage : EXIT.valid;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) throw new FaultlineError(`faultline: unknown command "${name}" (see: faultline --help)`, EXIT.usage);
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage.trimEnd() + '\n');
    return EXIT.valid;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof FaultlineError) {
      process.stderr.write(e.message + '\n');
      process.exitCode = e.code;
    } else {
      // A bug, not bad input: keep the stack so it can be reported.
      process.stderr.write(`faultline: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
