// The one version constant says what package.json says.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FAULTLINE_VERSION } from '../../src/util/version.js';

it('FAULTLINE_VERSION is package.json version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(FAULTLINE_VERSION).toBe(pkg.version);
});
