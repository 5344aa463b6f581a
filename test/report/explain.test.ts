// The "why" of a failing key in words, from a real check of a small history: the op, its node and time, what it
// returned, and the earlier observation it contradicts.
import { describe, expect, it } from 'vitest';
import { check } from '../../src/checker/index.js';
import type { Op } from '../../src/history/op.js';
import { createModel } from '../../src/model/registry.js';
import { pairCalls } from '../../src/report/calls.js';
import { evidenceView } from '../../src/report/evidence-view.js';

const ms = 1e6;
let index = 0;
const op = (process: number, type: Op['type'], f: string, value: Op['value'], t: number, node?: string): Op => ({
  index: index++,
  time: t * ms,
  process,
  type,
  f,
  key: 'k1',
  value,
  ...(node ? { node } : {}),
});

describe('evidence in words', () => {
  it('a stale read names the read, its node and time, what it saw, and the earlier read it contradicts', async () => {
    index = 0;
    const history: Op[] = [
      op(0, 'invoke', 'write', 1, 0, 'n1'),
      op(0, 'ok', 'write', 1, 10),
      op(1, 'invoke', 'write', 2, 20, 'n1'),
      op(1, 'ok', 'write', 2, 30),
      op(2, 'invoke', 'read', null, 40, 'n2'),
      op(2, 'ok', 'read', 2, 50),
      op(3, 'invoke', 'read', null, 60, 'n3'),
      op(3, 'ok', 'read', 1, 70),
    ];
    const result = await check(history, createModel({ name: 'cas-register', initial: null }), { evidence: 'failures' });
    expect(result.valid).toBe(false);
    const ev = evidenceView(result, pairCalls(history));
    const words = ev.keys[0]!.explanation.join(' ');
    expect(words).toMatch(/^k1: read\(\) → 1 on n3 \(process 3, invoked at 0\.060 s, answered at 0\.070 s\) cannot be explained/);
    expect(words).toMatch(/It returned 1\./);
    expect(words).toMatch(/But read\(\) → 2 on n2 had already read 2 \(answered ok at 0\.050 s, 0\.010 s before it began\)/);
    expect(words).toMatch(/an acknowledged write was lost, or this read was served from a stale copy/);
  });

  it('a read of a write nobody acknowledged, contradicted after it was lost, says so (not "an acknowledged write was lost")', async () => {
    // The shape of an antietcd kill-all run: cas 3→4 never answered, two reads see 4, the restarted nodes read 3.
    index = 0;
    const history: Op[] = [
      op(0, 'invoke', 'write', 3, 0, 'n2'),
      op(0, 'ok', 'write', 3, 10),
      op(1, 'invoke', 'cas', [3, 4], 20, 'n2'),
      op(2, 'invoke', 'read', null, 25, 'n1'),
      op(2, 'ok', 'read', 4, 30),
      op(1, 'info', 'cas', [3, 4], 40),
      op(3, 'invoke', 'read', null, 60, 'n3'),
      op(3, 'ok', 'read', 3, 70),
    ];
    const result = await check(history, createModel({ name: 'cas-register', initial: null }), { evidence: 'failures' });
    expect(result.valid).toBe(false);
    const words = evidenceView(result, pairCalls(history)).keys[0]!.explanation.join(' ');
    expect(words).toMatch(/But read\(\) → 4 on n1 had already read 4/);
    expect(words).toMatch(/Only cas\(3 → 4\) \? on n2 \(invoked at 0\.020 s, never acknowledged\) wrote 4\./);
    expect(words).toMatch(/the earlier read saw that write before it was durable and the write then did not survive/);
    expect(words).not.toMatch(/an acknowledged write was lost/);
  });

  it('a valid history has no explanation to give', async () => {
    index = 0;
    const history: Op[] = [op(0, 'invoke', 'write', 1, 0, 'n1'), op(0, 'ok', 'write', 1, 10), op(1, 'invoke', 'read', null, 20, 'n2'), op(1, 'ok', 'read', 1, 30)];
    const result = await check(history, createModel({ name: 'cas-register', initial: null }), { evidence: 'failures' });
    expect(result.valid).toBe(true);
    expect(evidenceView(result, pairCalls(history)).keys).toEqual([]);
  });
});
