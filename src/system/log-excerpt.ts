// What an error message quotes of a node's log: its last lines and, when they have scrolled past it, the lines
// that name the error above them. A Node.js crash prints its message a dozen lines above the end (location,
// source line, caret, then `Error: ...` and the stack), a JVM's trace and its "Caused by" chain can run to
// dozens of frames, a Go panic is followed by its goroutine dump: a tail alone shows only the bottom of a stack.

/**
 * How far above the end an error's name is looked for. A crash prints it near the end (13 lines up for a
 * Node.js throw, a Go panic's goroutine dump a few dozen); further up it is an old, survived one (ZooKeeper
 * logs peers' ConnectExceptions while an ensemble forms) that would only mislead.
 */
export const EXCERPT_WINDOW = 100;
/** At most this many naming lines (the first and the last ones of a long "Caused by" chain). */
const MAX_NAMES = 4;
/** Between the naming lines and the tail when lines were left out. */
export const EXCERPT_GAP = '...';

/** The harness's arrival stamp in front of lines of nodes that print no time (antietcd): not the node's words. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /;

const NAMES: readonly RegExp[] = [
  // Node.js: `Error: ...`, `TypeError: ...`, `RangeError [ERR_OUT_OF_RANGE]: ...`, `[UnhandledPromiseRejection: ...`.
  /^\[?(?:Uncaught )?[A-Za-z]*(?:Error|Exception|Rejection)(?: \[[\w.-]+\])?: /,
  // Node.js aborts: out of memory, a failed native assertion (`Assertion failed: (now) >= (timer_base())`).
  /^FATAL ERROR: /,
  /\bAssertion\b.*\bfailed\b/,
  // JVM: `java.lang.IllegalStateException: ...`, `Exception in thread "main" ...`, `Caused by: ...`.
  /^(?:Exception in thread "[^"]*" |Caused by: )?(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b/,
  // Go: `panic: ...` (a nested one indented), `fatal error: ...`, the signal line of a nil dereference, and
  // zap's fatal and panic levels as etcd's log is shown (`fatal msg: error`).
  /^\s*panic: /,
  /^fatal error: /,
  /^\[signal SIG/,
  /^(?:fatal|panic|dpanic) \S/,
];
/** A stack frame between the naming lines of one trace (JVM `\tat ...`, `... 3 more`; Node `    at ...`). */
const FRAME = /^\s+(?:at |\.\.\. \d+ (?:more|common frames omitted))/;
/** Node's caret under the source line it prints below the location (`/path/file.js:183`) of a throw. */
const CARET = /^\s*\^+\s*$/;
const LOCATION = /^\S+:\d+$/;

const said = (line: string): string => line.replace(STAMP, '');
const names = (line: string): boolean => NAMES.some((r) => r.test(said(line)));

/**
 * The last `tail` lines of `lines`, preceded by the lines naming the error of the last trace in the final
 * EXCERPT_WINDOW lines when they are above that tail: a trace's naming lines (its message, a JVM's "Caused by"
 * lines, a Go panic's nested panics), and for a Node.js throw the location, source line and caret above its
 * message. Each line appears once, in log order; EXCERPT_GAP marks where lines were left out. At most
 * MAX_NAMES + 4 lines and the gap are added to the tail.
 */
export function logExcerpt(lines: readonly string[], tail: number): string[] {
  const start = Math.max(0, lines.length - tail);
  const from = Math.max(0, lines.length - EXCERPT_WINDOW);
  const last = lastName(lines);
  if (last < 0) return lines.slice(start);
  // The naming lines of the same trace: earlier ones joined to it by stack frames only.
  let named = [last];
  for (let i = last - 1; i >= from; i--) {
    if (names(lines[i]!)) named.unshift(i);
    else if (!FRAME.test(said(lines[i]!))) break;
  }
  if (named.length > MAX_NAMES) named = [named[0]!, ...named.slice(-(MAX_NAMES - 1))];
  const picked = new Set(named);
  // Node.js prints where it threw above the message: `file:line`, the source line, a caret, a blank line.
  const top = named[0]!;
  const caret = top - 1 >= from && said(lines[top - 1]!).trim() === '' ? top - 2 : top - 1;
  if (caret - 2 >= from && CARET.test(said(lines[caret]!)) && LOCATION.test(said(lines[caret - 2]!))) {
    for (let k = caret - 2; k < top; k++) picked.add(k);
  }
  for (let i = start; i < lines.length; i++) picked.add(i);
  const order = [...picked].sort((a, b) => a - b);
  const out: string[] = [];
  order.forEach((i, n) => {
    if (n > 0 && i !== order[n - 1]! + 1) out.push(EXCERPT_GAP);
    out.push(lines[i]!);
  });
  return out;
}

/**
 * The line naming the last error in the final EXCERPT_WINDOW lines (a Node.js `Error: ...`, a JVM exception, a
 * Go `panic: ...`), without the harness's stamp; undefined when there is none. A one-line message quotes it.
 */
export function errorName(lines: readonly string[]): string | undefined {
  const i = lastName(lines);
  return i < 0 ? undefined : said(lines[i]!).trim();
}

function lastName(lines: readonly string[]): number {
  const from = Math.max(0, lines.length - EXCERPT_WINDOW);
  for (let i = lines.length - 1; i >= from; i--) if (names(lines[i]!)) return i;
  return -1;
}
