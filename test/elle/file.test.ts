// The CLI entry points: a history file in, a verdict and the text `check` prints out.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSetFile, checkTxnFile } from '../../src/checker/elle/file.js';
import { History } from './builder.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-elle-'));
const write = (name: string, lines: object[]): string => {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return p;
};

describe('checkTxnFile / checkSetFile', () => {
  it('reads JSONL, checks the chosen model, and prints the anomalies in words', async () => {
    const h = new History()
      .invoke(1, [['append', 'x', 1], ['append', 'y', 1]])
      .invoke(2, [['r', 'x', []], ['r', 'y', [1]]])
      .ok(1)
      .ok(2);
    const p = write('skew.jsonl', h.ops);
    const bad = await checkTxnFile(p);
    expect(bad.valid).toBe(false);
    expect(bad.text.split('\n')[0]).toMatch(/skew\.jsonl: INVALID for strict-serializable \(2 txns.*G-single ×1; rules out snapshot-isolation, serializable, strict-serializable/);
    expect(bad.text).toContain('T1 rw→ T2');
    expect(bad.anomalies[0]!.graph.edges).toHaveLength(2);
    const rc = await checkTxnFile(p, { consistency: 'read-committed' });
    expect(rc.valid).toBe(true);
  });

  it('names the file and line of a malformed txn', async () => {
    const p = write('bad.jsonl', [{ process: 0, type: 'invoke', f: 'txn', value: [['append', 'x']] }]);
    await expect(checkTxnFile(p)).rejects.toThrow(/bad\.jsonl:1: a micro-op must be \[f, key, value\]/);
  });

  it('set-full files', async () => {
    const p = write('set.jsonl', [
      { process: 0, type: 'invoke', f: 'add', value: 1 },
      { process: 0, type: 'ok', f: 'add', value: 1 },
      { process: 1, type: 'invoke', f: 'read', value: null },
      { process: 1, type: 'ok', f: 'read', value: [] },
    ]);
    const r = await checkSetFile(p);
    expect(r.valid).toBe(false);
    expect(r.text).toMatch(/1 lost/);
  });
});
