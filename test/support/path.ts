// Test helper: a PATH of links to every program this machine has except some, to play a machine without them.
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Makes `bin` (which must not exist) a directory of links to every program on PATH whose name is not in
 * `without` nor starts with `<name>-` (iptables-restore goes with iptables). The first directory on PATH wins,
 * as in a shell. Returns `bin`, to be used as PATH.
 */
export function pathWithout(bin: string, without: readonly string[]): string {
  mkdirSync(bin);
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (without.some((w) => n === w || n.startsWith(`${w}-`)) || existsSync(join(bin, n))) continue;
      symlinkSync(join(d, n), join(bin, n));
    }
  }
  return bin;
}
