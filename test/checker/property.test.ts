// Property test: the checker agrees with a brute-force checker on 12,000 random small histories.
import { describe, expect, it } from 'vitest';
import { checkSync } from '../../src/checker/index.js';
import type { Op } from '../../src/history/op.js';
import { createModel } from '../../src/model/registry.js';
import { bruteForce, type BruteModel } from './brute-force.js';
import { prng, randomHistory } from './random-history.js';

const CASES: { model: BruteModel; count: number; seed: number }[] = [
  { model: 'cas-register', count: 5000, seed: 1 },
  { model: 'register', count: 2000, seed: 2 },
  { model: 'kv', count: 3000, seed: 3 },
  { model: 'kv-unpartitioned', count: 2000, seed: 4 },
];

function ours(history: Op[], model: BruteModel): boolean | 'unknown' {
  const m = model === 'kv-unpartitioned' ? createModel({ name: 'kv', partition: false }) : createModel({ name: model });
  return checkSync(history, m, { allPartitions: true }).valid;
}

describe('checker vs brute force on random histories', () => {
  for (const { model, count, seed } of CASES) {
    it(`${model}: ${count} histories agree`, () => {
      const rand = prng(seed);
      let valid = 0;
      for (let i = 0; i < count; i++) {
        const h = randomHistory(rand, model);
        const expected = bruteForce(h, model);
        const got = ours(h, model);
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
