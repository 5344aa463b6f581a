// Jepsen/Knossos EDN shapes: list, vector, bare stream, records, comments, optional fields, non-client ops.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJepsenEdn } from '../../src/history/import/jepsen-edn.js';

const OPS = [
  '{:process 0, :type :invoke, :f :write, :value 1}',
  '#jepsen.history.Op{:index 7, :time 100, :type :ok, :process 0, :f :write, :value 1}',
  '{:process :nemesis, :type :info, :f :start-partition, :value [:isolated {"n1" #{"n2"}}]}',
  '{:process :checker, :type :invoke, :f :final-snapshot, :value nil}',
  '{:process 1, :type :invoke, :f :read, :value nil}',
  '{:process 1, :type :ok, :f :read, :value 1}',
];

describe('EDN history shapes', () => {
  const shapes = {
    list: `; Knossos test data style\n(${OPS.join('\n ; a comment between ops\n ')})`,
    vector: `[${OPS.join(',\n ')}]`,
    stream: OPS.join('\n') + '\n',
  };
  for (const [shape, text] of Object.entries(shapes)) {
    it(`${shape}: the same ops, lines, records unwrapped, index and time filled in, a named process left out`, () => {
      const { ops, lines, dropped } = parseJepsenEdn(text, 'h.edn');
      expect(ops.map((o) => [o.process, o.type, o.f])).toEqual([
        [0, 'invoke', 'write'],
        [0, 'ok', 'write'],
        ['nemesis', 'info', 'start-partition'],
        [1, 'invoke', 'read'],
        [1, 'ok', 'read'],
      ]);
      expect(ops.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
      // :time kept where given, the position otherwise.
      expect(ops.map((o) => o.time)).toEqual([0, 100, 2, 3, 4]);
      expect(dropped).toBe(1);
      expect(new Set(lines).size).toBe(5);
    });
  }

  it('a second history after a vector or list is an error naming its line', () => {
    expect(() => parseJepsenEdn(`(${OPS[0]})\n${OPS[4]}`, 'h.edn')).toThrow(/h\.edn:2: EDN: unexpected form after the history vector or list/);
    expect(() => parseJepsenEdn(`(${OPS[0]}]`, 'h.edn')).toThrow(/expected "\)" but found "\]"/);
  });

  it('a txn of two micro-ops is not mistaken for an independent [key value] tuple', () => {
    const { ops } = parseJepsenEdn('[{:process 0, :type :invoke, :f :txn, :value [[:write :x 1] [:write :y 2]]}]', 'h.edn');
    expect(ops[0].key).toBeUndefined();
    expect(ops[0].value).toEqual([
      ['write', 'x', 1],
      ['write', 'y', 2],
    ]);
  });
});

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fl-edn-'));

function faultline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, 'check', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe.concurrent('faultline check: the nil-read rule by source, and --nil-read', () => {
  // Write 1, then a read that completed with nil: Knossos's rule says linearizable, the absent value not.
  const edn = join(dir, 'nil.edn');
  writeFileSync(edn, `(${OPS.slice(0, 4).join('\n')}\n{:process 1, :type :invoke, :f :read, :value nil}\n{:process 1, :type :ok, :f :read, :value nil})\n`);
  const jsonl = join(dir, 'nil.jsonl');
  writeFileSync(
    jsonl,
    [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
      { index: 1, time: 1, process: 0, type: 'ok', f: 'write', value: 1 },
      { index: 2, time: 2, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3, process: 1, type: 'ok', f: 'read', value: null },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n') + '\n',
  );

  it('EDN: a nil read is unconstrained by default; the summary counts the non-client ops', async () => {
    const r = await faultline(edn);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nil\.edn: linearizable \(2 ops, 1 partition, .*; register, edn; 2 non-client ops ignored\)/);
    const j = await faultline('--json', edn);
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: true, ignored: 2 });
  });

  it('EDN with --nil-read absent, JSONL by default: the same read saw the absent value', async () => {
    expect((await faultline('--nil-read', 'absent', edn)).code).toBe(1);
    expect((await faultline(jsonl)).code).toBe(1);
    expect((await faultline('--nil-read', 'any', jsonl)).code).toBe(0);
  });

  it('bad --nil-read, and a queue without --model, are one-line usage errors (exit 3)', async () => {
    const bad = await faultline('--nil-read', 'maybe', edn);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe('faultline check: --nil-read must be any or absent, got "maybe"');
    const q = join(dir, 'q.edn');
    writeFileSync(q, '[{:process 0, :type :invoke, :f :enqueue, :value 1} {:process 0, :type :ok, :f :enqueue, :value 1}]');
    const r = await faultline(q);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/q\.edn: a queue history needs --model fifo-queue or --model unordered-queue/);
    expect((await faultline('--model', 'fifo-queue', q)).code).toBe(0);
  });
});
