// A teardown stack (Jepsen's with-* scoping): each set-up step pushes its undo; closing runs them newest first,
// on success, on error, and on Ctrl-C, so whatever was set up is torn down in reverse and nothing else is.
import { onExitCleanup } from './cleanup.js';

type Undo = () => Promise<unknown> | unknown;

export class Scope {
  private readonly undos: { what: string; undo: Undo }[] = [];
  private closing: Promise<void> | undefined;
  private unregister: (() => void) | undefined;

  /**
   * @param report told of every undo that failed (the others still run)
   * @param onSignal also close on SIGINT/SIGTERM (commands that do not stop themselves in order)
   */
  constructor(
    private readonly report: (what: string, e: Error) => void = () => undefined,
    onSignal = false,
  ) {
    if (onSignal) this.unregister = onExitCleanup(() => this.close());
  }

  /** Records how to undo what was just set up. */
  defer(what: string, undo: Undo): void {
    if (this.closing) throw new Error(`scope is closing: cannot set up ${what}`);
    this.undos.push({ what, undo });
  }

  /**
   * Sets up with `make` and defers `undo` of its result; a failed `make` defers nothing (what it half-made is
   * its own to clean up, as `Lab.up` does).
   */
  async use<T>(what: string, make: () => Promise<T> | T, undo: (value: T) => Promise<unknown> | unknown): Promise<T> {
    const value = await make();
    this.defer(what, () => undo(value));
    return value;
  }

  /** What is set up now, oldest first (for tests and messages). */
  get steps(): string[] {
    return this.undos.map((u) => u.what);
  }

  /** Undoes everything, newest first; safe to call twice (the second call waits for the first). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unregister?.();
      while (this.undos.length > 0) {
        const { what, undo } = this.undos.pop()!;
        try {
          await undo();
        } catch (e) {
          this.report(what, e instanceof Error ? e : new Error(String(e)));
        }
      }
    })();
    return this.closing;
  }
}
