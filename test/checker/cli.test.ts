// `faultline check` as a real process from the compiled dist: verdicts, exit codes, bad input, evidence.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, it } from 'vitest';
import { prepare } from '../../src/checker/index.js';
import { loadHistory } from '../../src/history/import/load.js';
import { createModel } from '../../src/model/registry.js';
import { CORPUS } from './corpus.js';
import { witnessProblem } from './witness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'fl-check-'));

/** Runs the real binary; async so independent cases can run side by side. */
function faultline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, 'check', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(() => {
  // `npm test` builds first; this only covers running this file alone on a fresh checkout.
  if (!existsSync(join(REPO, 'dist/src/cli/check.js'))) {
    try {
      execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.json')], { stdio: 'ignore' });
    } catch {
      // Other modules' type errors do not stop tsc from emitting.
    }
  }
});

describe.concurrent('faultline check (process)', () => {
  it('checks several files in one call, one line each; exit 1 if any is not linearizable', async ({ expect }) => {
    const r = await faultline(CORPUS + 'jepsen/etcd_002.log', CORPUS + 'jepsen/etcd_000.log', CORPUS + 'jepsen/etcd_095.log');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/etcd_002\.log: linearizable \(77 ops/);
    expect(lines[1]).toMatch(/etcd_000\.log: NOT linearizable/);
    expect(lines[2]).toMatch(/etcd_095\.log: linearizable \(0 ops/);
  });

  it('--json prints one object per file; exit 0 when all are linearizable', async ({ expect }) => {
    const r = await faultline('--json', CORPUS + 'kv/c10-ok.txt', CORPUS + 'jepsen/etcd_100.log');
    expect(r.code).toBe(0);
    const [a, b] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({ valid: true, ops: 337, partitions: 10, model: 'kv', format: 'porcupine-kv' });
    expect(b).toMatchObject({ valid: true, ops: 77, partitions: 1, model: 'cas-register' });
    for (const k of ['file', 'valid', 'ops', 'partitions', 'ms']) expect(a).toHaveProperty(k);
  });

  it('--no-partition checks kv as one map-valued state', async ({ expect }) => {
    const ok = await faultline('--json', '--no-partition', CORPUS + 'kv/c01-ok.txt');
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, partitions: 1 });
    expect((await faultline('--no-partition', CORPUS + 'kv/c01-bad.txt')).code).toBe(1);
  });

  it('exit 2 when the search gives up (timeout), with the reason', async ({ expect }) => {
    const r = await faultline('--json', '--no-partition', '--timeout', '0.3', CORPUS + 'kv/c50-ok.txt');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: 'unknown', reasons: ['timeout'] });
  });

  it('exit 2, not a crash, when the memory cap is reached', async ({ expect }) => {
    const r = await faultline('--json', '--no-partition', '--max-memory', '16', CORPUS + 'kv/c50-ok.txt');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: 'unknown', reasons: ['memory'] });
  });

  it('--evidence writes the linearizations and where the search got stuck', async ({ expect }) => {
    const out = join(dir, 'evidence.json');
    const r = await faultline('--evidence', out, CORPUS + 'jepsen/etcd_000.log', CORPUS + 'jepsen/etcd_005.log');
    expect(r.code).toBe(1);
    const ev = JSON.parse(readFileSync(out, 'utf8')) as { files: { file: string; valid: boolean; partitions: { linearized: { op: number; state: string }[]; stuck?: { candidates: unknown[]; state: string } }[] }[] };
    expect(ev.files).toHaveLength(2);
    const [bad, good] = ev.files;
    expect(bad.valid).toBe(false);
    expect(bad.partitions[0].linearized.length).toBeGreaterThan(0);
    expect(bad.partitions[0].stuck!.candidates.length).toBeGreaterThan(0);
    expect(good.valid).toBe(true);
    // The valid file's linearization is a real witness: every completed op, in an order the model accepts.
    const model = createModel({ name: 'cas-register' });
    const { partitions } = prepare((await loadHistory(CORPUS + 'jepsen/etcd_005.log')).ops, model);
    expect(witnessProblem(model, partitions[0], good.partitions[0].linearized.map((s) => s.op))).toBeNull();
  });

  it('infers the model from the ops of a JSONL history', async ({ expect }) => {
    const h = file(
      'cas.jsonl',
      [
        { process: 0, type: 'invoke', f: 'cas', value: [null, 1] },
        { process: 0, type: 'ok', f: 'cas', value: [null, 1] },
        { process: 1, type: 'invoke', f: 'cas', value: [0, 2] },
        { process: 1, type: 'ok', f: 'cas', value: [0, 2], succeeded: false },
        { process: 1, type: 'invoke', f: 'read', value: null },
        { process: 1, type: 'ok', f: 'read', value: 1 },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n') + '\n',
    );
    const r = await faultline('--json', h);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, model: 'cas-register', format: 'jsonl', ops: 3 });
    expect((await faultline('--json', '--initial', '0', h)).code).toBe(1);
  });

  describe('bad input: FILE:LINE, exit 3, no stack trace', () => {
    const cases: [string, string, string, number, RegExp][] = [
      ['jsonl: broken JSON', 'a.jsonl', '{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"ok","f":"read","value":1}\n{"process":0,"type":\n', 3, /not valid JSON/],
      ['jsonl: bad field', 'b.jsonl', '{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"done","f":"read"}\n', 2, /"type" must be/],
      ['jsonl: completion without invocation', 'c.jsonl', '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"ok","f":"write","value":1}\n{"process":3,"type":"ok","f":"read","value":1}\n', 3, /no open invocation/],
      ['jsonl: op the model does not know', 'd.jsonl', '{"process":0,"type":"invoke","f":"read"}\n\n{"process":0,"type":"ok","f":"read","value":1}\n{"process":0,"type":"invoke","f":"frob","value":1}\n', 4, /does not understand f="frob"/],
      ['edn: unterminated map', 'e.edn', '[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0, :type :ok, :f :read\n', 2, /EDN: map literal|never closed/],
      ['edn: bad type', 'f.edn', '{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :done, :f :read, :value 3}\n', 2, /:type must be/],
      ['porcupine-etcd: garbage line', 'g.log', 'INFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:ok\t:write\t3\nhello\n', 3, /not a Jepsen etcd log line/],
      ['porcupine-etcd: bad cas value', 'h.log', 'INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2 3]\n', 1, /cas value must be/],
      ['porcupine-kv: bad line', 'i.txt', '{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0, :type :ok, :f :get, :key "1", :value nil\n', 2, /not a kv op map/],
    ];
    for (const [name, fname, text, line, what] of cases) {
      it(name, async ({ expect }) => {
        const p = file(fname, text);
        const r = await faultline(p);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain(`${p}:${line}: `);
        expect(r.stderr).toMatch(what);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      });
    }

    it('--format forces a parser (and reports its errors)', async ({ expect }) => {
      const p = file('j.txt', '{"process":0,"type":"invoke","f":"read"}\n');
      const r = await faultline('--format', 'edn', p);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`${p}:1: `);
    });

    it('usage errors: unknown option, bad --model, missing file', async ({ expect }) => {
      expect((await faultline('--timout', '3', 'x')).code).toBe(3);
      expect((await faultline('--model', 'queue', CORPUS + 'jepsen/etcd_000.log')).code).toBe(3);
      const r = await faultline(join(dir, 'nope.jsonl'));
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/cannot read \(ENOENT\)/);
    });

    it('a bad file does not stop the others from being checked', async ({ expect }) => {
      const r = await faultline(file('k.jsonl', 'nope\n'), CORPUS + 'jepsen/etcd_100.log');
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/etcd_100\.log: linearizable/);
    });
  });
});
