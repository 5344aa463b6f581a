// Waiting in tests: whether a pid still runs, and the one polling loop (for a value, or for a condition).
import { readFileSync } from 'node:fs';

/** One read of /proc decides (the pid may vanish between two); a zombie counts as dead. */
export function pidAlive(pid: number): boolean {
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls until `fn` returns a defined value (a throw counts as not yet) or the time runs out. */
export async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(fn)
      .catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls `cond` until it holds; throws naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  await eventually(() => (cond() ? true : undefined), ms, what);
}
