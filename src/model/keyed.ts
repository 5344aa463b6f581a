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
/** One sub-state per key index; a missing entry is the inner model's initial state. */
export type KeyedState<S> = readonly (S | undefined)[];

/**
 * The whole history becomes one partition whose state maps every key to the inner model's state. Exists
 * to cross-check partitioned results and to measure what P-compositionality buys (`--no-partition`).
 */
export function keyed<S, I, O, P>(inner: Model<S, I, O, P>): Model<KeyedState<S>, KeyedInput<I>, O, KeyedPin<P>> {
  const keyIndex = new Map<string, number>();
  const keyNames: string[] = [];
  const init = inner.init();
  const sub = (s: KeyedState<S>, k: number): S => s[k] ?? init;
  const isInit = (x: S | undefined): boolean => x === undefined || inner.equal(x, init);
  const innerPin = inner.pin?.bind(inner);
  const innerReach = inner.canReach?.bind(inner);
  const innerResets = inner.resets?.bind(inner);
  const innerBlind = inner.blind?.bind(inner);
  const innerDead = inner.deadState?.bind(inner);
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
      const nexts = inner.step(sub(state, input.k), input.i, output);
      return nexts.map((n) => {
        const copy = state.slice();
        copy[input.k] = n;
        return copy;
      });
    },
    equal(a, b) {
      const n = Math.max(a.length, b.length);
      for (let k = 0; k < n; k++) if (!inner.equal(sub(a, k), sub(b, k))) return false;
      return true;
    },
    // Order-independent over keys and blind to initial entries, so equal states hash alike.
    hash(s) {
      let h = 0;
      for (let k = 0; k < s.length; k++) if (!isInit(s[k])) h = (h + Math.imul(inner.hash(s[k] as S) ^ (k + 1), 0x9e3779b1)) | 0;
      return h;
    },
    partition: (ops: Operation<KeyedInput<I>, O>[]) => [ops],
    describeOperation: (input, output) => `${JSON.stringify(input.key)}: ${inner.describeOperation(input.i, output)}`,
    describeState(s) {
      const parts: string[] = [];
      for (let k = 0; k < s.length; k++) if (!isInit(s[k])) parts.push(`${JSON.stringify(keyNames[k] ?? k)}: ${inner.describeState(s[k] as S)}`);
      return `{${parts.join(', ')}}`;
    },
    inputKey: inner.inputKey ? (input) => `${input.k} ${inner.inputKey!(input.i)}` : undefined,
    pin: innerPin
      ? (input, output) => {
          const p = innerPin(input.i, output);
          return p === undefined ? undefined : { k: input.k, p };
        }
      : undefined,
    // Blind within its key (the group): a put erases only that key's history.
    blind: innerBlind ? (input, output) => innerBlind(input.i, output) : undefined,
    deadState: innerDead
      ? (pins, state, k) => {
          const copy = (state ?? []).slice();
          copy[k] = innerDead(
            pins.map((p) => p.p),
            undefined,
            0,
          );
          return copy;
        }
      : undefined,
    resets: innerResets ? (input, output) => innerResets(input.i, output) : undefined,
    canReach: innerReach ? (state, pin) => innerReach(sub(state, pin.k), pin.p) : undefined,
    group: (input) => input.k,
  };
}
