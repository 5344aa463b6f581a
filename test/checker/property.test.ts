// Property test: the checker agrees with a brute-force checker on random small histories of every model.
import { describe, expect, it } from 'vitest';
import { checkSync } from '../../src/checker/index.js';
import type { Op } from '../../src/history/op.js';
import { createModel } from '../../src/model/registry.js';
import { bruteForce, type BruteModel, type KnossosModel } from './brute-force.js';
import { randomKnossosHistory } from './random-knossos.js';
import { prng, randomHistory } from './random-history.js';

const KNOSSOS: readonly string[] = ['multi-register', 'mutex', 'set', 'unordered-queue', 'fifo-queue', 'noop'] satisfies KnossosModel[];

/** nilAny: a completed read of null is legal anywhere (Knossos's rule, --nil-read any). */
/** search: the order a partition starts in, or 'race' (both orders from the start, taking turns). */
const CASES: { model: BruteModel; count: number; seed: number; nilAny?: boolean; search?: 'call-order' | 'race' }[] = [
  { model: 'cas-register', count: 5000, seed: 1 },
  { model: 'register', count: 2000, seed: 2 },
  { model: 'kv', count: 3000, seed: 3 },
  { model: 'kv-unpartitioned', count: 2000, seed: 4 },
  { model: 'cas-register', count: 2000, seed: 5, nilAny: true },
  { model: 'register', count: 1000, seed: 6, nilAny: true },
  { model: 'multi-register', count: 2000, seed: 7 },
  { model: 'multi-register', count: 1000, seed: 8, nilAny: true },
  { model: 'mutex', count: 2000, seed: 9 },
  { model: 'set', count: 2000, seed: 10 },
  { model: 'unordered-queue', count: 2000, seed: 11 },
  { model: 'fifo-queue', count: 2000, seed: 12 },
  // Both search orders are complete: each alone, and both racing, give the brute force's verdict.
  { model: 'cas-register', count: 3000, seed: 14, search: 'call-order' },
  { model: 'cas-register', count: 3000, seed: 15, search: 'race' },
  { model: 'kv', count: 2000, seed: 16, search: 'race' },
  { model: 'multi-register', count: 1000, seed: 17, search: 'call-order' },
  { model: 'mutex', count: 1000, seed: 18, search: 'race' },
  { model: 'fifo-queue', count: 1000, seed: 19, search: 'call-order' },
];

function ours(history: Op[], model: BruteModel, nilAny: boolean, search?: 'call-order' | 'race'): boolean | 'unknown' {
  const nilRead = nilAny ? 'any' : 'absent';
  const m = model === 'kv-unpartitioned' ? createModel({ name: 'kv', partition: false }) : createModel({ name: model, nilRead });
  const how = search === 'call-order' ? { order: 'call-order' as const } : search === 'race' ? { raceAfterMs: 0 } : {};
  return checkSync(history, m, { allPartitions: true, ...how }).valid;
}

function generate(rand: () => number, model: BruteModel): Op[] {
  return KNOSSOS.includes(model) ? randomKnossosHistory(rand, model as KnossosModel) : randomHistory(rand, model);
}

describe('checker vs brute force on random histories', () => {
  for (const { model, count, seed, nilAny = false, search } of CASES) {
    it(`${model}${nilAny ? ' (nil read: any)' : ''}${search ? ` (search: ${search})` : ''}: ${count} histories agree`, () => {
      const rand = prng(seed);
      let valid = 0;
      for (let i = 0; i < count; i++) {
        const h = generate(rand, model);
        const expected = bruteForce(h, model, null, nilAny);
        const got = ours(h, model, nilAny, search);
        if (got !== expected) {
          // Print the history so a failure is reproducible by hand.
          throw new Error(`${model} history #${i}: checker says ${got}, brute force ${expected}\n${h.map((o) => JSON.stringify(o)).join('\n')}`);
        }
        if (expected) valid++;
      }
      // Both verdicts must be well represented, or the test proves little.
      expect(valid).toBeGreaterThan(count * 0.2);
      expect(count - valid).toBeGreaterThan(count * 0.1);
    });
  }
});

describe('noop', () => {
  it('every well-formed random history is linearizable, as the brute force says too', () => {
    const rand = prng(13);
    for (let i = 0; i < 300; i++) {
      const h = randomKnossosHistory(rand, 'noop');
      expect(bruteForce(h, 'noop')).toBe(true);
      expect(ours(h, 'noop', false)).toBe(true);
    }
  });
});
