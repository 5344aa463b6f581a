// Locates the Porcupine corpus (a copy in fixtures/) and reads the expected verdicts from its MANIFEST.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A copy of Porcupine's test data lives in the repository (fixtures/porcupine, with its MIT licence), so a plain clone tests. */
export const CORPUS = fileURLToPath(new URL('./fixtures/porcupine/', import.meta.url));

export interface Expectation {
  file: string;
  /** Porcupine's tests' verdict; etcd_095 (empty) has none and is expected to be valid with 0 ops. */
  linearizable: boolean;
  /** kv files: the kvNoPartitionModel verdict where porcupine's tests have one (c01, c10). */
  unpartitioned?: boolean;
}

export function expectations(): Expectation[] {
  const manifest = readFileSync(CORPUS + 'MANIFEST.md', 'utf8');
  const out: Expectation[] = [];
  for (const line of manifest.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = /^`((?:jepsen|kv)\/[^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!file) continue;
    if (file.startsWith('jepsen/')) {
      const expected = cells[8];
      out.push({ file, linearizable: expected === 'linearizable' || expected.startsWith('no test') });
    } else {
      const e: Expectation = { file, linearizable: cells[9] === 'linearizable' };
      const np = cells[11].split('/')[0].trim();
      if (np === 'linearizable' || np === 'NOT linearizable') e.unpartitioned = np === 'linearizable';
      out.push(e);
    }
  }
  return out;
}
