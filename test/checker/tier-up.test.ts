// The CLI's deferred optimization (src/checker/tier-up.ts), observed in V8 itself: a function hot enough for
// TurboFan by default stays in baseline code while deferred, and is optimized once the work proves long.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../dist/src/checker/tier-up.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./fixtures/tier-up-probe.mjs', import.meta.url));

function probe(mode: 'defer' | 'default', calls: number, flags: string[] = []): { before: boolean; after: boolean } {
  // Synchronous compiles, so "optimized" is read after the compile rather than racing it.
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', ...flags, PROBE, MODULE, mode, String(calls)], { encoding: 'utf8' });
  return JSON.parse(out) as { before: boolean; after: boolean };
}

// The deferral applies only on V8 11 (Node 20), where it was measured; elsewhere it is off by design.
describe.skipIf(!process.versions.v8.startsWith('11.'))('deferred optimization', () => {
  it('2,000 calls of a small loop: optimized by default, not while deferred; optimizeNow() ends the deferral', () => {
    expect(probe('default', 2000)).toEqual({ before: true, after: true });
    expect(probe('defer', 2000)).toEqual({ before: false, after: true });
  });

  it("a user's own --interrupt-budget is left alone", () => {
    expect(probe('defer', 2000, ['--interrupt-budget=67584'])).toEqual({ before: true, after: true });
  });
});
