// A strict command-line option parser: unknown options are errors, never silently ignored.
import { parseArgs } from 'node:util';
import { usageError } from './errors.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * Parses argv for one subcommand. Throws a usage error (exit 3) that names the bad option and the
 * command's help, so `faultline check --timout 5` says what is wrong instead of a stack trace.
 */
/** Parsed values: booleans for boolean options, string[] for `multiple`, string otherwise; absent when not given. */
export type OptionValues<T extends OptionSpec> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K]['multiple'] extends true ? string[] : string;
};

export function parseOptions<T extends OptionSpec>(
  command: string,
  argv: string[],
  options: T,
): { values: OptionValues<T>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as OptionValues<T>, positionals };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw usageError(`faultline ${command}: ${msg} (see: faultline ${command} --help)`);
  }
}

export function parseNumber(command: string, name: string, raw: string | undefined, min = 0): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw usageError(`faultline ${command}: --${name} must be a number >= ${min}, got "${raw}"`);
  return n;
}

/**
 * `--timeout S`: the checker's deadline in seconds, the one meaning of `--timeout` on every command that checks
 * (check, analyze, report); past it the verdict is unknown.
 */
export function parseCheckerTimeout(command: string, raw: string | undefined): number | undefined {
  return parseNumber(command, 'timeout', raw, MIN_CHECKER_TIMEOUT_S);
}

export const MIN_CHECKER_TIMEOUT_S = 0.1;
