// The shape of one subcommand: each lives in its own file under src/cli/ and is registered in main.ts.

export interface Command {
  /** One line for `faultline --help`. */
  summary: string;
  /** Full usage text for `faultline <cmd> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code (see EXIT in util/errors.ts). */
  run(argv: string[]): Promise<number>;
}
