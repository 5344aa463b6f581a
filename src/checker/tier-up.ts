// When V8 optimizes the checker's code. A `check` of many small histories is over before TurboFan's
// compiles of its hot functions land (they run on the second core, beside this thread and the GC), so the
// CLI starts with optimization deferred; a search or a history that turns out long ends the deferral and
// gets V8's usual tier-up. bench:checker measures both sides (README: checker, speed).
import { setFlagsFromString } from 'node:v8';

/**
 * How much bytecode a function runs between tier-up decisions. V8's default (Node 20, V8 11.3) is 67,584:
 * a function is queued for TurboFan after a few of those. Deferred, it is 120x that: small checks run in
 * baseline code, and a hot loop still reaches TurboFan within milliseconds of running long.
 */
const DEFAULT_BUDGET = 67_584;
const DEFERRED_BUDGET = 8_000_000;

let deferred = false;

/** Defers optimization for this process (the CLI's `check`), unless its own V8 flags set the budget. */
export function deferOptimization(): void {
  if (deferred || userSetsBudget()) return;
  setFlagsFromString(`--interrupt-budget=${DEFERRED_BUDGET}`);
  deferred = true;
}

/**
 * The work is long: back to V8's default. Cheap enough for a search loop's periodic check. The budget is
 * read whenever a function's budget is renewed, so functions already running pick it up after one more
 * deferred period. The flag is per process, so this also covers worker threads.
 */
export function optimizeNow(): void {
  if (!deferred) return;
  deferred = false;
  setFlagsFromString(`--interrupt-budget=${DEFAULT_BUDGET}`);
}

function userSetsBudget(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => f.startsWith('--interrupt-budget') || f.startsWith('--interrupt_budget'));
}
