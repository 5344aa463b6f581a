// Bad input to `faultline run` / `analyze`: one line naming the problem and the fix, documented exit code.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cli } from './cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-usage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('faultline run: bad input', () => {
  it('a bad spec file: exit 3 and file:line:col', async () => {
    const spec = join(dir, 'bad.json');
    writeFileSync(spec, '{\n  "name": "bad",\n  "concurrency": "six"\n}\n');
    const r = await cli(['run', spec, '--results', join(dir, 'results')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`${spec}:3:18: concurrency: expected an integer, got string`);
    // Nothing was created for a spec that never ran.
    expect(() => readdirSync(join(dir, 'results'))).toThrow();
  });

  it('unknown options, bad values and unknown nemeses: exit 3 with one line', async () => {
    for (const args of [['--concurrence', '4'], ['--pre-vote', 'maybe'], ['--nodes', 'three'], ['--nemesis', 'earthquake'], ['--lab', 'cloud'], ['no-such-preset']]) {
      const r = await cli(['run', ...args, '--results', join(dir, 'results')]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('a results directory that cannot be made: exit 3 in one line, for a path under /proc and under a file too', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    for (const bad of ['/proc/faultline-no-such-dir', join(dir, 'plain-file', 'results')]) {
      const r = await cli(['run', '--time-limit', '2', '--lab', 'host', '--results', bad]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot create directory .*(choose a directory you can write to|choose another path).*--results/);
    }
  });

  it('a missing etcd binary: exit 4 naming the fix', async () => {
    const r = await cli(['run', '--etcd-bin', join(dir, 'nowhere', 'etcd'), '--results', join(dir, 'results')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/etcd not found .*apt-get install etcd-server/);
  });

  it('analyze of something that is not a run: exit 3', async () => {
    const r = await cli(['analyze', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is not a run directory/);
  });
});
