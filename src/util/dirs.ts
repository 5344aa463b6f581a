// Creating a directory and its parents. Node's own recursive mkdir spins forever when the kernel answers ENOENT
// for a path whose parent exists (any name under /proc), so parents are walked here, one mkdir each.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from './errors.js';

/** Creates `path` and any missing parents; an existing directory is fine. Throws a one-line FaultlineError (exit 3). */
export function makeDirs(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      missing.push(p);
      if (p === dirname(p)) break;
      continue;
    }
    if (!isDir) throw usageError(`cannot create directory ${path}: ${p} is a file, not a directory; choose another path`);
    break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p, mode === undefined ? undefined : { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST' && statSync(p, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw usageError(`cannot create directory ${path} (${code} at ${p}); choose a directory you can write to`);
    }
  }
}
