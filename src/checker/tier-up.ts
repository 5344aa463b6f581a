// When V8 optimizes the checker's code. A `check` of many small histories is over before TurboFan's
// compiles of its hot functions land (they run on the second core, beside this thread and the GC), so the
// CLI starts with optimization deferred; a search or a history that turns out long ends the deferral and
// gets V8's usual tier-up. bench:checker measures both sides (README: checker, speed).
import { setFlagsFromString } from 'node:v8';

/**
 * How much bytecode a function runs between tier-up decisions. V8's default (Node 20, V8 11.3) is 67,584;
 * a function is queued for TurboFan after 3 + (bytecode length / 150) of those. Deferred, the budget is 120x
 * that, so small checks run in baseline code; long work ends the deferral (optimizeNow), after which a hot
 * function is optimized within tens of milliseconds.
 */
const DEFAULT_BUDGET = 67_584;
const DEFERRED_BUDGET = 8_000_000;
/** Only on the V8 this was measured with (Node 20's 11.x): later ones tier up by other rules, and may lack the flag. */
const MEASURED_V8 = process.versions.v8.startsWith('11.');

let deferred = false;

/** Defers optimization for this process (the CLI's `check`), unless its own V8 flags set the budget. */
export function deferOptimization(): void {
  if (deferred || !MEASURED_V8 || userSetsBudget()) return;
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

/** The flag on node's command line (NODE_OPTIONS may not carry V8 flags). */
function userSetsBudget(): boolean {
  return process.execArgv.some((f) => /^--interrupt[-_]budget(=|$)/.test(f));
}
