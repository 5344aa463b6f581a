// Option spellings: one meaning per name across commands, old spellings working with a one-line deprecation
// note, --json on every command, and nothing silent (`run NAME` of a scenario says what it runs).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startCli } from './cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-options-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('option spellings', () => {
  it('run NAME of a scenario says it runs the scenarios command', async () => {
    const r = await cli(['run', 'leader-crash', '--list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^faultline run: leader-crash is a scenario of the catalogue; running `faultline scenarios leader-crash --list`$/m);
  });

  it('serve --json prints where it listens on one line; SIGINT stops it with exit 0', async () => {
    const site = join(dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<p>hi</p>');
    const run = startCli(['serve', site, '--port', '0', '--json']);
    try {
      const line = await new Promise<string>((ok, fail) => {
        let out = '';
        run.child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) ok(out.split('\n')[0]!);
        });
        setTimeout(() => fail(new Error(`no line from serve: ${out}`)), 10_000);
      });
      const info = JSON.parse(line) as { url: string; port: number; dir: string };
      expect(info.dir).toBe(site);
      expect(await (await fetch(info.url)).text()).toBe('<p>hi</p>');
    } finally {
      run.child.kill('SIGINT');
    }
    expect((await run.done).code).toBe(0);
  });

  it('--etcd-bin still works for one release and says it is deprecated; --bin is the spelling for every system', async () => {
    const old = await cli(['run', '--system', 'etcd', '--etcd-bin', join(dir, 'none'), '--results', join(dir, 'r')]);
    expect(old.code).toBe(4);
    expect(old.stderr).toMatch(/^faultline run: --etcd-bin is deprecated and will be removed in the next release: use --bin$/m);
    const now = await cli(['run', '--system', 'etcd', '--bin', join(dir, 'none'), '--results', join(dir, 'r')]);
    expect(now.code).toBe(4);
    expect(now.stderr).not.toMatch(/deprecated/);
    expect(now.stderr).toMatch(/etcd not found at .*none: install it/);
  });

  it('--timeout is the checker deadline in seconds wherever it appears; run\'s per-request timeout is --op-timeout MS', async () => {
    for (const cmd of ['analyze', 'report']) {
      const r = await cli([cmd, dir, '--timeout', '0.01']);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`faultline ${cmd}: --timeout must be a number >= 0.1, got "0.01"`));
    }
    const c = await cli(['check', '--timeout', '0.01', join(dir, 'none.jsonl')]);
    expect(c.code).toBe(3);
    expect(c.stderr).toMatch(/faultline check: --timeout must be a number >= 0.1/);
    const old = await cli(['run', '--system', 'etcd', '--timeout', '5', '--bin', join(dir, 'none'), '--results', join(dir, 'r')]);
    expect(old.stderr).toMatch(/^faultline run: --timeout MS is deprecated .*use --op-timeout MS$/m);
    const bad = await cli(['run', '--op-timeout', '5', '--results', join(dir, 'r')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--op-timeout must be a number >= 10/);
  });

  it('every command writes under --results; lab up --dir and sweep --out still work, deprecated', async () => {
    const lab = await cli(['lab', 'up', '--system', 'etcd', '--bin', join(dir, 'none'), '--dir', join(dir, 'exact')]);
    expect(lab.code).toBe(4);
    expect(lab.stderr).toMatch(/^faultline lab up: --dir is deprecated: use --results DIR/m);
    const sweep = await cli(['sweep', '--heartbeat', 'x', '--out', join(dir, 's')]);
    expect(sweep.code).toBe(3);
    for (const cmd of ['run', 'lab', 'sweep', 'bench', 'scenarios']) {
      const h = await cli([cmd, '--help']);
      expect(h.stdout, cmd).toMatch(/--results DIR/);
    }
  });

  it('cluster options are declared once: the same check and message on run, lab up and bench', async () => {
    for (const cmd of ['run', 'lab up', 'bench']) {
      const args = [...cmd.split(' '), '--nodes', '10', '--results', join(dir, 'r')];
      const r = await cli(args);
      expect(r.code, cmd).toBe(3);
      expect(r.stderr.trim()).toBe(`faultline ${cmd}: --nodes must be an integer 1..9, got "10"`);
      const p = await cli([...cmd.split(' '), '--pre-vote', 'maybe', '--results', join(dir, 'r')]);
      expect(p.stderr.trim()).toBe(`faultline ${cmd}: --pre-vote must be on or off, got "maybe"`);
    }
  });
});
