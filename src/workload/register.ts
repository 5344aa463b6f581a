// The register workload (Jepsen's etcd register): read / write / cas of small integers on independent keys.
import type { Json } from '../history/op.js';
import { int, type Random } from '../generator/random.js';
import type { Workload } from './workload.js';

/**
 * `valueRange` is kept small (default 5) so a cas's expected value is often right and cas succeeds
 * sometimes: a register where every cas fails tests nothing.
 */
export function registerWorkload(options: { valueRange?: number } = {}): Workload {
  const range = options.valueRange ?? 5;
  return {
    name: 'register',
    model: 'cas-register',
    initial: null,
    fs: ['read', 'write', 'cas'],
    readF: 'read',
    defaultMix: { read: 2, write: 1, cas: 1 },
    value(f: string, rng: Random): Json {
      switch (f) {
        case 'read':
          return null;
        case 'write':
          return int(rng, 0, range - 1);
        case 'cas':
          return [int(rng, 0, range - 1), int(rng, 0, range - 1)];
        default:
          throw new Error(`register workload has no operation "${f}" (it has read, write, cas)`);
      }
    },
  };
}
