// `faultline --help` prints each command's summary from main.ts's static table: it must match the modules'.
import { execFileSync } from 'node:child_process';
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
