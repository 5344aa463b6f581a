// Errors that end a command with a documented exit code and a one-line message naming problem and fix.

export const EXIT = {
  valid: 0,
  /** Invalid history, or a regression found by compare. */
  invalid: 1,
  unknown: 2,
  /** Bad input or usage: malformed history, bad spec, unknown option. */
  usage: 3,
  /** Environment: missing binary, no root for the namespace lab. */
  environment: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: the CLI prints `message` on one line (no stack) and exits with `code`. */
export class FaultlineError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
    this.name = 'FaultlineError';
  }
}

export const usageError = (msg: string): FaultlineError => new FaultlineError(msg, EXIT.usage);
export const envError = (msg: string): FaultlineError => new FaultlineError(msg, EXIT.environment);
