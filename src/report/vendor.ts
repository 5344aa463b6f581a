// Locates and reads the vega, vega-lite and vega-embed min builds that every report inlines.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envError } from '../util/errors.js';

const FILES = ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js'];

let cached: string[] | undefined;

/** The three libraries' source text, in load order. Walks up from this file to the nearest node_modules. */
export function vendorScripts(): string[] {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (FILES.every((f) => existsSync(join(nm, f)))) {
      cached = FILES.map((f) => {
        const text = readFileSync(join(nm, f), 'utf8');
        // Inline <script> ends at the first "</script"; a library containing it could not be inlined safely.
        if (/<\/script/i.test(text)) throw envError(`${f} contains "</script"; cannot inline it; reinstall node_modules`);
        return text;
      });
      return cached;
    }
    const up = dirname(dir);
    if (up === dir) throw envError('vega, vega-lite and vega-embed not found in node_modules; run npm install in the faultline directory');
    dir = up;
  }
}
