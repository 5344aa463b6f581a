// Lifts a one-register model to a map-valued state over all keys: checking without P-compositionality.
import { type Model, type Operation } from './model.js';

export interface KeyedInput<I> {
  /** Dense index of the op's key (interned while reading the history). */
  k: number;
  /** The key itself, for descriptions (and so a worker thread can name keys it never interned). */
  key: string;
  i: I;
}
export interface KeyedPin<P> {
  k: number;
  p: P;
}
/**
 * Per key index, the id of that key's inner state in the model's own table (0 = the initial state; a
 * missing entry too). Small integers make hashing and comparing whole states cheap, though the inner
 * states (long kv strings) are not.
 */
export type KeyedState = readonly number[];

/**
 * The whole history becomes one partition whose state maps every key to the inner model's state. Exists
 * to cross-check partitioned results and to measure what P-compositionality buys (`--no-partition`).
 */
export function keyed<S, I, O, P>(inner: Model<S, I, O, P>): Model<KeyedState, KeyedInput<I>, O, KeyedPin<P>> {
  const keyIndex = new Map<string, number>();
  const keyNames: string[] = [];
  // Inner states by id, bucketed by inner hash.
  const subs: S[] = [inner.init()];
  const buckets = new Map<number, number[]>([[inner.hash(subs[0]) | 0, [0]]]);
  const intern = (x: S): number => {
    const h = inner.hash(x) | 0;
    let ids = buckets.get(h);
    if (!ids) buckets.set(h, (ids = []));
    for (const id of ids) if (inner.equal(subs[id], x)) return id;
    subs.push(x);
    ids.push(subs.length - 1);
    return subs.length - 1;
  };
  const sub = (s: KeyedState, k: number): number => s[k] ?? 0;
  const deadIds = new WeakMap<readonly KeyedPin<P>[], number>();
  const innerPin = inner.pin?.bind(inner);
  const innerReach = inner.canReach?.bind(inner);
  const innerResets = inner.resets?.bind(inner);
  const innerBlind = inner.blind?.bind(inner);
  const innerReadOnly = inner.readOnly?.bind(inner);
  const innerDead = inner.deadState?.bind(inner);
  const name = (k: number): string => JSON.stringify(keyNames[k] ?? k);
  return {
    name: inner.name,
    spec: inner.spec ? { ...inner.spec, partition: false } : undefined,
    nondeterministic: inner.nondeterministic,
    init: () => [],
    operation(invoke, completion) {
      const key = invoke.key ?? '';
      let k = keyIndex.get(key);
      if (k === undefined) {
        k = keyNames.length;
        keyIndex.set(key, k);
        keyNames.push(key);
      }
      const { input, output } = inner.operation(invoke, completion);
      return { input: { k, key, i: input }, output };
    },
    step(state, input, output) {
      // A model rebuilt in a worker never saw `operation`; learning names here keeps descriptions right.
      if (keyNames[input.k] === undefined) keyNames[input.k] = input.key;
      const nexts = inner.step(subs[sub(state, input.k)], input.i, output);
      return nexts.map((n) => {
        const copy = state.slice();
        for (let k = copy.length; k < input.k; k++) copy[k] = 0;
        copy[input.k] = intern(n);
        return copy;
      });
    },
    equal(a, b) {
      const n = Math.max(a.length, b.length);
      for (let k = 0; k < n; k++) if (sub(a, k) !== sub(b, k)) return false;
      return true;
    },
    // Blind to trailing initial entries, so equal states hash alike.
    hash(s) {
      let h = 0;
      for (let k = 0; k < s.length; k++) if (s[k] !== 0) h = (h + Math.imul(s[k] * 31 + k + 1, 0x9e3779b1)) | 0;
      return h;
    },
    partition: (ops: Operation<KeyedInput<I>, O>[]) => [ops],
    describeOperation: (input, output) => `${JSON.stringify(input.key)}: ${inner.describeOperation(input.i, output)}`,
    describeState(s) {
      const parts: string[] = [];
      for (let k = 0; k < s.length; k++) if (s[k] !== 0) parts.push(`${name(k)}: ${inner.describeState(subs[s[k]])}`);
      return `{${parts.join(', ')}}`;
    },
    inputKey: inner.inputKey ? (input) => `${input.k} ${inner.inputKey!(input.i)}` : undefined,
    pin: innerPin
      ? (input, output) => {
          const p = innerPin(input.i, output);
          return p === undefined ? undefined : { k: input.k, p };
        }
      : undefined,
    resets: innerResets ? (input, output) => innerResets(input.i, output) : undefined,
    canReach: innerReach ? (state, pin) => innerReach(subs[sub(state, pin.k)], pin.p) : undefined,
    group: (input) => input.k,
    // Blind within its key (the group): a put erases only that key's history.
    blind: innerBlind ? (input, output) => innerBlind(input.i, output) : undefined,
    readOnly: innerReadOnly ? (input, output) => innerReadOnly(input.i, output) : undefined,
    deadState: innerDead
      ? (pins, state, k) => {
          // The search passes the same pins array for a key every time: compute its dead state once.
          let id = deadIds.get(pins);
          if (id === undefined) {
            id = intern(
              innerDead(
                pins.map((p) => p.p),
                undefined,
                0,
              ),
            );
            deadIds.set(pins, id);
          }
          const copy = (state ?? []).slice();
          for (let j = copy.length; j < k; j++) copy[j] = 0;
          copy[k] = id;
          return copy;
        }
      : undefined,
  };
}
