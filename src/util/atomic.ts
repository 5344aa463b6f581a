// Writing a whole file or nothing: a reader (or a harness killed mid-write) never sees half a file.

import { renameSync, writeFileSync } from 'node:fs';

/** Writes `text` to `path.tmp`, then renames it over `path` (atomic within one filesystem). */
export function writeAtomic(path: string, text: string, mode?: number): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  renameSync(tmp, path);
}
