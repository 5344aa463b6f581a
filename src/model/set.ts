// The set model (Knossos's `set`): add puts an element in; a read must return exactly the current set.
import type { Json, Op } from '../history/op.js';
import { decode, describeCollection, elements, encode, insertSorted, sortedUnique } from './collection.js';
import { ModelInputError, type Model, type ModelOptions } from './model.js';
import { canonical, hashString } from './values.js';

/** add: the element, canonical; read: nothing (its result is the output). */
export type SetInput = { f: 'add'; value: string } | { f: 'read' };
/** read: the set read, as a collection state; add: true. */
export type SetOutput = string | true;
export type SetModel = Model<string, SetInput, SetOutput, never>;

const ILLEGAL: readonly string[] = [];
const READ: SetInput = { f: 'read' };

/**
 * `initial` is an array of elements (default: empty, as in Knossos). A read is compared as a set: order
 * and duplicates in what it returned do not matter. Knossos has no nil rule for sets (nil never equals a
 * set), so a completed read must carry a collection; anything else is bad input, not a verdict.
 */
export function set(options: ModelOptions = {}): SetModel {
  const initial = encode(sortedUnique(options.initial === undefined || options.initial === null ? [] : elements(options.initial as Json, 'set --initial')));
  return {
    name: 'set',
    spec: { name: 'set', initial: options.initial ?? null },
    init: () => initial,
    operation(invoke: Op, completion: Op | undefined) {
      switch (invoke.f) {
        case 'add':
          return { input: { f: 'add', value: canonical(invoke.value) }, output: completion ? true : undefined };
        case 'read':
          return { input: READ, output: completion ? encode(sortedUnique(elements(completion.value, 'a set read'))) : undefined };
        default:
          throw new ModelInputError(`model set does not understand f="${invoke.f}" (it knows add, read)`);
      }
    },
    step(state, input, output) {
      if (input.f === 'read') return output === undefined || output === state ? [state] : ILLEGAL;
      const xs = decode(state);
      return xs.includes(input.value) ? [state] : [encode(insertSorted(xs, input.value))];
    },
    readOnly: (input) => input.f === 'read',
    equal: (a, b) => a === b,
    hash: hashString,
    inputKey: (input) => (input.f === 'add' ? `add ${input.value}` : 'read'),
    describeOperation(input, output) {
      if (input.f === 'read') return `read() → ${output === undefined ? '?' : describeCollection(output as string)}`;
      return `add(${input.value})${output === undefined ? ' ?' : ''}`;
    },
    describeState: (s) => describeCollection(s),
  };
}
