// Waiting on processes from tests: whether a pid still runs, and polling until a condition holds.
import { readFileSync } from 'node:fs';

/** One read of /proc decides (the pid may vanish between two); a zombie counts as dead. */
export function pidAlive(pid: number): boolean {
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls `cond` every `everyMs` until it holds; throws naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
