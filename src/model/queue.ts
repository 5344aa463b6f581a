// The queue models (Knossos's `unordered-queue` and `fifo-queue`): enqueue adds a value, dequeue takes one.
import type { Json, Op } from '../history/op.js';
import { decode, describeCollection, elements, encode, insertSorted, sorted } from './collection.js';
import { ModelInputError, type Model, type ModelOptions } from './model.js';
import { canonical, hashString } from './values.js';

/** enqueue: the value; dequeue: nothing (the value dequeued is the output). Values canonical. */
export type QueueInput = { f: 'enqueue'; value: string } | { f: 'dequeue' };
/** dequeue: the value taken; enqueue: true. */
export type QueueOutput = string | true;
export type QueueModel = Model<string, QueueInput, QueueOutput, never>;

const ILLEGAL: readonly string[] = [];
const DEQUEUE: QueueInput = { f: 'dequeue' };

/**
 * Pending values as a sorted multiset. A completed dequeue must take a pending value. A dequeue of unknown
 * outcome is never placed: removing a value can only make later dequeues illegal (an enqueue is legal
 * anywhere, a dequeue of v only needs v pending), so any linearization that uses it also works without.
 */
export function unorderedQueue(options: ModelOptions = {}): QueueModel {
  return queueModel('unordered-queue', options, {
    enqueue: (xs, v) => insertSorted(xs, v),
    dequeue(xs, v) {
      if (v === undefined) return undefined;
      const i = xs.indexOf(v);
      return i < 0 ? undefined : [...xs.slice(0, i), ...xs.slice(i + 1)];
    },
    order: sorted,
    describe: (s) => describeCollection(s),
  });
}

/**
 * Pending values in order. A completed dequeue must take the head. A dequeue of unknown outcome, if it
 * took effect, took the head, whatever that was. (Knossos steps an `info` dequeue with its invocation's
 * nil value, so for Knossos it can never have taken effect; taking the head is what a real queue does,
 * and it can only turn a Knossos "not linearizable" into "linearizable" when an `info` dequeue explains it.)
 */
export function fifoQueue(options: ModelOptions = {}): QueueModel {
  return queueModel('fifo-queue', options, {
    enqueue: (xs, v) => [...xs, v],
    dequeue: (xs, v) => (xs.length === 0 || (v !== undefined && xs[0] !== v) ? undefined : xs.slice(1)),
    order: (xs) => xs,
    describe: (s) => describeCollection(s, '[', ']'),
  });
}

interface Discipline {
  enqueue(xs: readonly string[], v: string): string[];
  /** `v` undefined: unknown outcome. undefined result: illegal. */
  dequeue(xs: readonly string[], v: string | undefined): string[] | undefined;
  /** The initial values as this discipline keeps them. */
  order(xs: readonly string[]): readonly string[];
  describe(state: string): string;
}

function queueModel(name: string, options: ModelOptions, d: Discipline): QueueModel {
  const initial = encode(d.order(options.initial === undefined || options.initial === null ? [] : elements(options.initial as Json, `${name} --initial`)));
  return {
    name,
    spec: { name, initial: options.initial ?? null },
    init: () => initial,
    operation(invoke: Op, completion: Op | undefined) {
      switch (invoke.f) {
        case 'enqueue':
          return { input: { f: 'enqueue', value: canonical(invoke.value) }, output: completion ? true : undefined };
        case 'dequeue':
          return { input: DEQUEUE, output: completion ? canonical(completion.value) : undefined };
        default:
          throw new ModelInputError(`model ${name} does not understand f="${invoke.f}" (it knows enqueue, dequeue)`);
      }
    },
    step(state, input, output) {
      const xs = decode(state);
      if (input.f === 'enqueue') return [encode(d.enqueue(xs, input.value))];
      const next = d.dequeue(xs, output as string | undefined);
      return next === undefined ? ILLEGAL : [encode(next)];
    },
    equal: (a, b) => a === b,
    hash: hashString,
    inputKey: (input) => (input.f === 'enqueue' ? `enqueue ${input.value}` : 'dequeue'),
    describeOperation(input, output) {
      if (input.f === 'dequeue') return `dequeue() → ${output === undefined ? '?' : String(output)}`;
      return `enqueue(${input.value})${output === undefined ? ' ?' : ''}`;
    },
    describeState: d.describe,
  };
}
