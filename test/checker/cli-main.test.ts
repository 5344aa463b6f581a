// `faultline --help` prints each command's summary from main.ts's static table: it must match the modules'.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const NAMES = ['check', 'run', 'analyze', 'lab', 'report', 'bench', 'compare', 'sweep', 'publish', 'serve', 'scenarios'];

describe('faultline --help', () => {
  it("lists every command with the summary its own module declares", async () => {
    const out = execFileSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    const listed = new Map(
      out
        .split('\n')
        .map((l) => /^ {2}(\S+)\s+(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    expect([...listed.keys()]).toEqual(NAMES);
    for (const name of NAMES) {
      const mod = (await import(`../../src/cli/${name}.ts`)) as { command: { summary: string } };
      expect(listed.get(name), name).toBe(mod.command.summary);
    }
  });
});

describe('a reader that goes away', () => {
  it('`faultline check … | head -c 1`: the command still finishes with its own exit code, no EPIPE stack', () => {
    // 60 corpus files, one JSON line each: head exits after the first byte, so later writes hit a closed pipe.
    const file = fileURLToPath(new URL('./fixtures/porcupine/kv/c01-ok.txt', import.meta.url));
    const files = Array.from({ length: 60 }, () => JSON.stringify(file)).join(' ');
    const out = execFileSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} check --json ${files} 2>/tmp/faultline-epipe.$$ | head -c 1 >/dev/null; s=\${PIPESTATUS[0]}; cat /tmp/faultline-epipe.$$; rm -f /tmp/faultline-epipe.$$; echo "exit $s"`], { encoding: 'utf8' });
    expect(out.trim()).toBe('exit 0');
  });
});

/**
 * The project's modules a command loads, as a resolve hook sees them (Node's module.register): each
 * command loads only what it uses, so `check` of a register history pays neither Elle's checkers nor
 * another command's modules.
 */
function modulesLoaded(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-modules-'));
  try {
    const log = join(dir, 'loaded.txt');
    const hooks = `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));`;
    spawnSync(process.execPath, ['--no-warnings', '--import', `data:text/javascript,${encodeURIComponent(register)}`, MAIN, ...args], { encoding: 'utf8' });
    const root = new URL('../../dist/src/', import.meta.url).href;
    return [...new Set(readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith(root)).map((u) => u.slice(root.length)))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('each command loads only what it uses', () => {
  const cas = fileURLToPath(new URL('./fixtures/porcupine/jepsen/etcd_000.log', import.meta.url));

  it('`faultline --help` loads no command module', () => {
    expect(modulesLoaded(['--help'])).toEqual(['cli/main.js', 'util/errors.js']);
  });

  it("`faultline check` of a cas-register history loads none of Elle's checkers, and none of the other commands", () => {
    const loaded = modulesLoaded(['check', cas]);
    expect(loaded).toContain('checker/linearizability.js');
    expect(loaded.filter((m) => m.startsWith('checker/elle/'))).toEqual(['checker/elle/consistency.js', 'checker/elle/models.js']);
    expect(loaded.filter((m) => /^(cli\/(?!main|check)|system|lab|report|run|client|nemesis)/.test(m))).toEqual([]);
  });

  it("`faultline check` of a list-append history loads Elle's checker when it needs it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-modules-'));
    try {
      const file = join(dir, 'append.jsonl');
      writeFileSync(file, [{ process: 0, type: 'invoke', f: 'txn', value: [['append', 'x', 1]] }, { process: 0, type: 'ok', f: 'txn', value: [['append', 'x', 1]] }].map((o) => JSON.stringify(o)).join('\n') + '\n');
      expect(modulesLoaded(['check', file])).toContain('checker/elle/list-append.js');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
