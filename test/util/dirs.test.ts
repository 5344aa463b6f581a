// makeDirs: parents are created one mkdir at a time, so a path the kernel refuses ends in an error, not a spin.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/util/dirs.js';
import { FaultlineError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-dirs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeDirs', () => {
  it('creates missing parents with the mode asked for, and accepts an existing directory', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeDirs(deep, 0o755);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o755);
    expect(() => makeDirs(deep)).not.toThrow();
  });

  it('names the file in the way, and a path under /proc fails at once with exit code 3', () => {
    writeFileSync(join(dir, 'f'), '');
    const e1 = (() => {
      try {
        makeDirs(join(dir, 'f', 'x'));
      } catch (e) {
        return e as FaultlineError;
      }
    })();
    expect(e1).toBeInstanceOf(FaultlineError);
    expect(e1!.message).toBe(`cannot create directory ${join(dir, 'f', 'x')}: ${join(dir, 'f')} is a file, not a directory; choose another path`);
    expect(e1!.code).toBe(3);
    expect(() => makeDirs('/proc/no-such/x')).toThrow(/cannot create directory \/proc\/no-such\/x \(ENOENT at \/proc\/no-such\)/);
  });
});
