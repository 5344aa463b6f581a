#!/usr/bin/env node
// Entry point of the `faultline` binary: dispatches to one module per subcommand.
import { FaultlineError, EXIT } from '../util/errors.js';
import type { Command } from './command.js';

// One line per command; each module is loaded only when used so `check` starts fast.
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  check: () => import('./check.js'),
  run: () => import('./run.js'),
  analyze: () => import('./analyze.js'),
  lab: () => import('./lab.js'),
  report: () => import('./report.js'),
  bench: () => import('./bench.js'),
  compare: () => import('./compare.js'),
  sweep: () => import('./sweep.js'),
  publish: () => import('./publish.js'),
  serve: () => import('./serve.js'),
  scenarios: () => import('./scenarios.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = ['usage: faultline <command> [options]', '', 'commands:'];
    for (const [n, load] of Object.entries(COMMANDS)) {
      try {
        lines.push(`  ${n.padEnd(9)} ${(await load()).command.summary}`);
      } catch {
        // A command whose module is not built yet is simply not listed.
      }
    }
    lines.push('', 'exit codes: 0 valid, 1 invalid, 2 unknown, 3 bad input or usage, 4 environment');
    process.stdout.write(lines.join('\n') + '\n');
    return name === undefined ? EXIT.usage : EXIT.valid;
  }
  const load = COMMANDS[name];
  if (!load) throw new FaultlineError(`faultline: unknown command "${name}" (see: faultline --help)`, EXIT.usage);
  const { command } = await load();
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
