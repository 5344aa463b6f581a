// The kv model: independent string registers per key with get, put and append (Porcupine's kvModel).
import type { Json } from '../history/op.js';
import { ModelInputError, type Model, type ModelOptions } from './model.js';
import { hashString } from './values.js';

export type KvInput = { f: 'get' } | { f: 'put'; value: string } | { f: 'append'; value: string };
/** get: the string read; put/append: true. `undefined` = unknown outcome. */
export type KvOutput = string | true;

/** One key's register; the checker partitions the history by key (or wraps it with `keyed`). */
export type KvModel = Model<string, KvInput, KvOutput, string>;

const ILLEGAL: readonly string[] = [];
/** One shared input for every get. */
const GET: KvInput = { f: 'get' };

/**
 * `initial` is every key's value before the first put (default ""). A get of an absent key reads as ""
 * (a JSON `null` read is taken as ""), as in Porcupine's kv model and etcd-style stores; under the 'any'
 * nil-read rule a `null` get tells nothing instead.
 */
export function kv(options: ModelOptions = {}): KvModel {
  const initial = options.initial === undefined || options.initial === null ? '' : String(options.initial);
  const nilRead = options.nilRead ?? 'absent';
  return {
    name: 'kv',
    spec: { name: 'kv', initial: options.initial ?? null, nilRead },
    init: () => initial,
    operation(invoke, completion) {
      switch (invoke.f) {
        case 'get': {
          const v = completion?.value ?? null;
          return { input: GET, output: completion && !(v === null && nilRead === 'any') ? text(v, 'get result') : undefined };
        }
        case 'put':
        case 'append':
          return { input: { f: invoke.f, value: text(invoke.value ?? null, `${invoke.f} value`) }, output: completion ? true : undefined };
        default:
          throw new ModelInputError(`model kv does not understand f="${invoke.f}" (it knows get, put, append)`);
      }
    },
    step(state, input, output) {
      switch (input.f) {
        case 'get':
          return output === undefined || output === state ? [state] : ILLEGAL;
        case 'put':
          return [input.value];
        case 'append':
          return [state + input.value];
      }
    },
    blind: (input) => input.f === 'put',
    readOnly: (input) => input.f === 'get',
    equal: (a, b) => a === b,
    hash: hashString,
    inputKey: (input) => (input.f === 'get' ? 'get' : `${input.f} ${input.value}`),
    describeOperation(input, output) {
      if (input.f === 'get') return `get() → ${output === undefined ? '?' : JSON.stringify(output)}`;
      return `${input.f}(${JSON.stringify(input.value)})${output === undefined ? ' ?' : ''}`;
    },
    describeState: (s) => JSON.stringify(s),
    // Appends only extend the string, so once no put can come before a pending get, the state must stay
    // a prefix of what that get read. This is what keeps many concurrent appends tractable.
    pin: (input, output) => (input.f === 'get' && typeof output === 'string' ? output : undefined),
    resets: (input) => input.f === 'put',
    canReach: (state, pin) => pin.startsWith(state),
    // Any string no get result starts with: one character that begins none of them.
    deadState(pins) {
      const first = new Set(pins.map((p) => p.charCodeAt(0)));
      let c = 1;
      while (first.has(c)) c++;
      return String.fromCharCode(c);
    },
  };
}

function text(v: Json, what: string): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ModelInputError(`kv ${what} must be a string, got ${JSON.stringify(v)}`);
}
