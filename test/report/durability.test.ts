// Lost acknowledged writes from the final reads: the rule on small hand-made histories (times in ms).
import { describe, expect, it } from 'vitest';
import type { Call } from '../../src/report/calls.js';
import { durabilityLine, lostWrites } from '../../src/report/durability.js';

const MS = 1e6;
let id = 0;
/** One call: [invoke, complete] in ms; complete null = never answered (info). */
function c(f: string, value: Call['value'], at: [number, number | null], extra: Partial<Call> = {}): Call {
  const [a, b] = at;
  return { id: id++, process: id, f, key: 'k1', invoke: a * MS, ...(b !== null ? { complete: b * MS } : {}), outcome: b === null ? 'info' : 'ok', value, ...extra };
}
const FINAL = 100 * MS;
const finals = (v: Call['value'], ...nodes: string[]): Call[] => nodes.map((n, i) => c('read', v, [100 + i, 101 + i], { node: n }));

describe('lost acknowledged writes (final reads)', () => {
  it('register: a write acknowledged after the final value\'s writes had all finished is lost', () => {
    const d = lostWrites([c('write', 1, [0, 1]), c('write', 2, [2, 3], { node: 'n2' }), ...finals(1, 'n1', 'n2', 'n3')], FINAL)!;
    expect(d.keysAgreed).toBe(1);
    expect(d.lostCount).toBe(1);
    expect(d.lost[0]).toMatchObject({ key: 'k1', f: 'write', value: 2, node: 'n2', finalValue: 1, invokeS: 0.002, completeS: 0.003 });
    expect(durabilityLine(d)).toBe('durability: the final reads agree on 1 key; 1 acknowledged write was lost on 1 key (first: write 2 on k1 via n2, acknowledged at 0.003 s, yet k1 ends at 1)');
  });

  it('register: concurrency and unknown outcomes explain the final value, so nothing is blamed', () => {
    // write 1 overlaps write 2: either may be last.
    expect(lostWrites([c('write', 1, [0, 5]), c('write', 2, [1, 3]), ...finals(1, 'n1')], FINAL)!.lostCount).toBe(0);
    // write 1 was never answered: it may have taken effect after write 2.
    expect(lostWrites([c('write', 1, [0, null]), c('write', 2, [2, 3]), ...finals(1, 'n1')], FINAL)!.lostCount).toBe(0);
    // A failed cas wrote nothing; a failed write is left out.
    expect(lostWrites([c('write', 1, [0, 1]), c('cas', [1, 2], [2, 3], { succeeded: false }), c('write', 3, [4, 5], { outcome: 'fail' }), ...finals(1, 'n1')], FINAL)!.lostCount).toBe(0);
  });

  it('register: a successful cas after the final write is lost; a key that ends absent lost every acknowledged write', () => {
    expect(lostWrites([c('write', 1, [0, 1]), c('cas', [1, 2], [2, 3], { succeeded: true }), ...finals(1, 'n1')], FINAL)!.lostCount).toBe(1);
    const all = lostWrites([c('write', 1, [0, 1]), c('write', 2, [2, 3]), ...finals(null, 'n1', 'n2')], FINAL)!;
    expect(all.lostCount).toBe(2);
    // A final value no write produced is the checker's business, not a durability figure.
    expect(lostWrites([c('write', 1, [0, 1]), ...finals(7, 'n1')], FINAL)!.lostCount).toBe(0);
  });

  it('nodes that disagree at the end are listed, and their key is not judged', () => {
    const d = lostWrites([c('write', 1, [0, 1]), c('write', 2, [2, 3]), c('read', 1, [100, 101], { node: 'n1' }), c('read', 2, [100, 101], { node: 'n2' })], FINAL)!;
    expect(d.keysAgreed).toBe(0);
    expect(d.lostCount).toBe(0);
    expect(d.divergent).toEqual([{ key: 'k1', values: { n1: 1, n2: 2 } }]);
    expect(durabilityLine(d)).toMatch(/the nodes disagree on 1 key \(k1: n1 1, n2 2\)/);
  });

  it('kv: appends missing from the final string after its base put finished are lost, and so is a later put', () => {
    const calls = [c('put', 'p1;', [0, 1]), c('append', 'w0.1;', [2, 3]), c('append', 'w0.2;', [4, 5]), c('put', 'p2;', [6, 7]), ...finals('p1;w0.1;', 'n1')];
    const d = lostWrites(calls, FINAL)!;
    expect(d.lost.map((l) => l.value)).toEqual(['w0.2;', 'p2;']);
    // An append that overlapped the base put may have come before it: not blamed.
    expect(lostWrites([c('put', 'p1;', [0, 5]), c('append', 'w0.1;', [1, 2]), ...finals('p1;', 'n1')], FINAL)!.lostCount).toBe(0);
    // No put took effect: the base is the initial value, so every acknowledged append must be in the string.
    expect(lostWrites([c('append', 'w0.1;', [0, 1]), c('append', 'w0.2;', [2, 3]), ...finals('w0.2;', 'n1')], FINAL)!.lost.map((l) => l.value)).toEqual(['w0.1;']);
  });

  it('no final reads, or a workload with a checker of its own: no figure', () => {
    expect(lostWrites([c('write', 1, [0, 1])], undefined)).toBeNull();
    expect(lostWrites([c('add', 1, [0, 1]), c('read', [1], [100, 101])], FINAL)).toBeNull();
  });
});
