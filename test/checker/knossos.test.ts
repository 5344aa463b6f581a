// Knossos's rules, one small hand-written history each, read from both a list and a vector of EDN op maps.
import { describe, expect, it } from 'vitest';
import { checkSync } from '../../src/checker/index.js';
import { parseJepsenEdn } from '../../src/history/import/jepsen-edn.js';
import type { NilRead } from '../../src/model/model.js';
import { createModel } from '../../src/model/registry.js';

/** One op map in Knossos's test style: process, type, f, value. */
const op = (p: number, type: string, f: string, value = 'nil'): string => `{:process ${p}, :type :${type}, :f :${f}, :value ${value}}`;

interface Case {
  rule: string;
  model: string;
  initial?: unknown;
  ops: string[];
  /** Knossos's verdict (its nil rule: a nil read is legal in every state). */
  knossos: boolean;
  /** Our JSONL reading of the same ops, where a nil read saw the absent value; when it differs. */
  absent?: boolean;
}

const CASES: Case[] = [
  // register
  { rule: 'a read of nil is legal in a register that holds 0 (the nil rule decides)', model: 'register', initial: 0, ops: [op(0, 'invoke', 'read'), op(0, 'ok', 'read')], knossos: true, absent: false },
  { rule: 'a read of nil after a write of 1 (the nil rule decides)', model: 'register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(1, 'invoke', 'read'), op(1, 'ok', 'read')], knossos: true, absent: false },
  { rule: 'a read of 2 that nothing wrote', model: 'register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(1, 'invoke', 'read'), op(1, 'ok', 'read', '2')], knossos: false },
  { rule: 'a read concurrent with the write sees it', model: 'register', ops: [op(0, 'invoke', 'write', '1'), op(1, 'invoke', 'read'), op(1, 'ok', 'read', '1'), op(0, 'ok', 'write', '1')], knossos: true },
  { rule: 'a stale read after a later write completed', model: 'register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(0, 'invoke', 'write', '2'), op(0, 'ok', 'write', '2'), op(1, 'invoke', 'read'), op(1, 'ok', 'read', '1')], knossos: false },
  { rule: 'an info write may take effect later: a read then sees it', model: 'register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'info', 'write', '1'), op(1, 'invoke', 'read'), op(1, 'ok', 'read', '1')], knossos: true },
  { rule: 'a read of 0 in a register that starts at nil (no nil rule to save it)', model: 'register', ops: [op(1, 'invoke', 'read'), op(1, 'ok', 'read', '0')], knossos: false },
  // cas-register
  { rule: 'cas from the value held succeeds', model: 'cas-register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(1, 'invoke', 'cas', '[1 2]'), op(1, 'ok', 'cas', '[1 2]'), op(2, 'invoke', 'read'), op(2, 'ok', 'read', '2')], knossos: true },
  { rule: 'an ok cas from a value not held', model: 'cas-register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(1, 'invoke', 'cas', '[2 3]'), op(1, 'ok', 'cas', '[2 3]')], knossos: false },
  { rule: 'a failed cas did not happen', model: 'cas-register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(1, 'invoke', 'cas', '[2 3]'), op(1, 'fail', 'cas', '[2 3]'), op(2, 'invoke', 'read'), op(2, 'ok', 'read', '1')], knossos: true },
  { rule: 'a read of nil between write 1 and cas 1→2 (the nil rule decides)', model: 'cas-register', ops: [op(0, 'invoke', 'write', '1'), op(0, 'ok', 'write', '1'), op(1, 'invoke', 'read'), op(1, 'ok', 'read'), op(2, 'invoke', 'cas', '[1 2]'), op(2, 'ok', 'cas', '[1 2]')], knossos: true, absent: false },
  { rule: 'an info cas may have happened: a read sees its new value', model: 'cas-register', initial: 0, ops: [op(0, 'invoke', 'cas', '[0 5]'), op(0, 'info', 'cas', '[0 5]'), op(1, 'invoke', 'read'), op(1, 'ok', 'read', '5')], knossos: true },
  // multi-register
  { rule: 'a txn reads what an earlier txn wrote', model: 'multi-register', ops: [op(0, 'invoke', 'txn', '[[:write :x 1] [:write :y 2]]'), op(0, 'ok', 'txn', '[[:write :x 1] [:write :y 2]]'), op(1, 'invoke', 'txn', '[[:read :x nil] [:read :y nil]]'), op(1, 'ok', 'txn', '[[:read :x 1] [:read :y 2]]')], knossos: true },
  { rule: 'a txn reads a value of x never written', model: 'multi-register', ops: [op(0, 'invoke', 'txn', '[[:write :x 1]]'), op(0, 'ok', 'txn', '[[:write :x 1]]'), op(1, 'invoke', 'txn', '[[:read :x nil]]'), op(1, 'ok', 'txn', '[[:read :x 2]]')], knossos: false },
  { rule: 'a txn sees half of another (not atomic)', model: 'multi-register', initial: { x: 0, y: 0 }, ops: [op(0, 'invoke', 'txn', '[[:write :x 1] [:write :y 1]]'), op(0, 'ok', 'txn', '[[:write :x 1] [:write :y 1]]'), op(1, 'invoke', 'txn', '[[:read :x nil] [:read :y nil]]'), op(1, 'ok', 'txn', '[[:read :x 1] [:read :y 0]]')], knossos: false },
  { rule: 'a txn read of nil after x was written (the nil rule decides)', model: 'multi-register', ops: [op(0, 'invoke', 'txn', '[[:write :x 1]]'), op(0, 'ok', 'txn', '[[:write :x 1]]'), op(1, 'invoke', 'txn', '[[:read :x nil] [:read :y nil]]'), op(1, 'ok', 'txn', '[[:read :x nil] [:read :y nil]]')], knossos: true, absent: false },
  { rule: 'a txn sees its own write', model: 'multi-register', ops: [op(0, 'invoke', 'txn', '[[:write :x 3] [:read :x nil]]'), op(0, 'ok', 'txn', '[[:write :x 3] [:read :x 3]]')], knossos: true },
  // mutex
  { rule: 'acquire, release, acquire', model: 'mutex', ops: [op(0, 'invoke', 'acquire'), op(0, 'ok', 'acquire'), op(0, 'invoke', 'release'), op(0, 'ok', 'release'), op(1, 'invoke', 'acquire'), op(1, 'ok', 'acquire')], knossos: true },
  { rule: 'two processes hold the lock at once', model: 'mutex', ops: [op(0, 'invoke', 'acquire'), op(1, 'invoke', 'acquire'), op(0, 'ok', 'acquire'), op(1, 'ok', 'acquire')], knossos: false },
  { rule: 'a release of a lock nobody holds', model: 'mutex', ops: [op(0, 'invoke', 'release'), op(0, 'ok', 'release')], knossos: false },
  { rule: 'an info acquire may never have happened', model: 'mutex', ops: [op(0, 'invoke', 'acquire'), op(0, 'info', 'acquire'), op(1, 'invoke', 'acquire'), op(1, 'ok', 'acquire')], knossos: true },
  // set
  { rule: 'a read returns exactly the elements added', model: 'set', ops: [op(0, 'invoke', 'add', '1'), op(0, 'ok', 'add', '1'), op(1, 'invoke', 'add', '2'), op(1, 'ok', 'add', '2'), op(2, 'invoke', 'read'), op(2, 'ok', 'read', '#{2 1}')], knossos: true },
  { rule: 'a read misses an element added before it began', model: 'set', ops: [op(0, 'invoke', 'add', '1'), op(0, 'ok', 'add', '1'), op(1, 'invoke', 'add', '2'), op(1, 'ok', 'add', '2'), op(2, 'invoke', 'read'), op(2, 'ok', 'read', '#{1}')], knossos: false },
  { rule: 'a read concurrent with an add may see it', model: 'set', ops: [op(0, 'invoke', 'add', '3'), op(2, 'invoke', 'read'), op(2, 'ok', 'read', '#{3}'), op(0, 'ok', 'add', '3')], knossos: true },
  { rule: 'a read sees an element nobody added', model: 'set', ops: [op(0, 'invoke', 'add', '1'), op(0, 'ok', 'add', '1'), op(2, 'invoke', 'read'), op(2, 'ok', 'read', '#{1 9}')], knossos: false },
  // unordered-queue
  { rule: 'dequeue in any order', model: 'unordered-queue', ops: [op(0, 'invoke', 'enqueue', '1'), op(0, 'ok', 'enqueue', '1'), op(0, 'invoke', 'enqueue', '2'), op(0, 'ok', 'enqueue', '2'), op(1, 'invoke', 'dequeue'), op(1, 'ok', 'dequeue', '2'), op(1, 'invoke', 'dequeue'), op(1, 'ok', 'dequeue', '1')], knossos: true },
  { rule: 'dequeue of a value never enqueued', model: 'unordered-queue', ops: [op(0, 'invoke', 'enqueue', '1'), op(0, 'ok', 'enqueue', '1'), op(1, 'invoke', 'dequeue'), op(1, 'ok', 'dequeue', '3')], knossos: false },
  { rule: 'one value dequeued twice', model: 'unordered-queue', ops: [op(0, 'invoke', 'enqueue', '1'), op(0, 'ok', 'enqueue', '1'), op(1, 'invoke', 'dequeue'), op(1, 'ok', 'dequeue', '1'), op(2, 'invoke', 'dequeue'), op(2, 'ok', 'dequeue', '1')], knossos: false },
  // fifo-queue
  { rule: 'fifo: the second value dequeued first', model: 'fifo-queue', ops: [op(0, 'invoke', 'enqueue', '1'), op(0, 'ok', 'enqueue', '1'), op(0, 'invoke', 'enqueue', '2'), op(0, 'ok', 'enqueue', '2'), op(1, 'invoke', 'dequeue'), op(1, 'ok', 'dequeue', '2')], knossos: false },
  { rule: 'fifo: concurrent enqueues may be ordered either way', model: 'fifo-queue', ops: [op(0, 'invoke', 'enqueue', '1'), op(1, 'invoke', 'enqueue', '2'), op(0, 'ok', 'enqueue', '1'), op(1, 'ok', 'enqueue', '2'), op(2, 'invoke', 'dequeue'), op(2, 'ok', 'dequeue', '2'), op(2, 'invoke', 'dequeue'), op(2, 'ok', 'dequeue', '1')], knossos: true },
  { rule: 'fifo: dequeue from an empty queue', model: 'fifo-queue', ops: [op(1, 'invoke', 'dequeue'), op(1, 'ok', 'dequeue', '1')], knossos: false },
  // noop
  { rule: 'noop: anything goes', model: 'noop', ops: [op(0, 'invoke', 'frobnicate', '1'), op(1, 'invoke', 'read'), op(1, 'ok', 'read', '42'), op(0, 'ok', 'frobnicate', '1')], knossos: true },
];

/** The same ops as a list with comments (Knossos's test data) and as a vector (Jepsen's history.edn). */
function forms(ops: string[]): { form: string; text: string }[] {
  return [
    { form: 'list', text: `; a Knossos-style history\n(${ops.join('\n ; next op\n ')})\n` },
    { form: 'vector', text: `[${ops.join(',\n ')}]` },
  ];
}

function verdict(text: string, c: Case, nilRead: NilRead): boolean | 'unknown' {
  const { ops } = parseJepsenEdn(text, 'h.edn');
  return checkSync(ops, createModel({ name: c.model, initial: c.initial, nilRead })).valid;
}

describe("Knossos's models and rules on hand-written EDN histories", () => {
  for (const c of CASES) {
    for (const { form, text } of forms(c.ops)) {
      it(`${c.model}, ${form}: ${c.rule} → ${c.knossos ? 'linearizable' : 'not'}`, () => {
        expect(verdict(text, c, 'any')).toBe(c.knossos);
        expect(verdict(text, c, 'absent')).toBe(c.absent ?? c.knossos);
      });
    }
  }

  it('the nil rule decides some case of every model that has it, both ways', () => {
    const decided = new Set(CASES.filter((c) => c.absent !== undefined && c.absent !== c.knossos).map((c) => c.model));
    expect([...decided].sort()).toEqual(['cas-register', 'multi-register', 'register']);
  });

  it('fifo-queue: an info dequeue that took the head explains the next dequeue (a deliberate difference from Knossos)', () => {
    // Knossos steps an info op with its invocation's nil value, so for it this dequeue never happened and
    // the history is not linearizable; a real queue's lost-reply dequeue took the head.
    const ops = [op(0, 'invoke', 'enqueue', '1'), op(0, 'ok', 'enqueue', '1'), op(0, 'invoke', 'enqueue', '2'), op(0, 'ok', 'enqueue', '2'), op(1, 'invoke', 'dequeue'), op(1, 'info', 'dequeue'), op(2, 'invoke', 'dequeue'), op(2, 'ok', 'dequeue', '2')];
    for (const { text } of forms(ops)) expect(verdict(text, { rule: '', model: 'fifo-queue', ops, knossos: true }, 'any')).toBe(true);
    const noInfo = ops.filter((o) => !o.includes(':process 1'));
    expect(verdict(forms(noInfo)[0].text, { rule: '', model: 'fifo-queue', ops: noInfo, knossos: false }, 'any')).toBe(false);
  });

  it('a set read of nil is bad input, not a verdict (Knossos would call it inconsistent in every state)', () => {
    const { ops } = parseJepsenEdn(`[${op(0, 'invoke', 'read')} ${op(0, 'ok', 'read')}]`, 'h.edn');
    expect(() => checkSync(ops, createModel({ name: 'set' }))).toThrow(/h\.edn|history op 1: a set read must be a collection/);
  });
});
