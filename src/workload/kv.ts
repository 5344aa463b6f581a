// The kv workload (Porcupine's kv): get / put / append of strings on independent keys.
import type { Json } from '../history/op.js';
import { int, type Random } from '../generator/random.js';
import type { DrawContext } from '../generator/generator.js';
import type { Workload } from './workload.js';

/**
 * Appended strings are unique per worker and op (`w3.17;`), so a read shows exactly which appends it saw;
 * put values are drawn from a small range so puts and appends interleave into checkable strings.
 */
export function kvWorkload(options: { valueRange?: number } = {}): Workload {
  const range = options.valueRange ?? 5;
  return {
    name: 'kv',
    model: 'kv',
    initial: null,
    fs: ['get', 'put', 'append'],
    readF: 'get',
    defaultMix: { get: 2, put: 1, append: 2 },
    value(f: string, rng: Random, ctx: DrawContext): Json {
      switch (f) {
        case 'get':
          return null;
        case 'put':
          return `p${int(rng, 0, range - 1)};`;
        case 'append':
          return `w${ctx.worker}.${ctx.seq};`;
        default:
          throw new Error(`kv workload has no operation "${f}" (it has get, put, append)`);
      }
    },
  };
}
