// Turns a nondeterministic model into a deterministic one over sets of states (as Porcupine does).
import type { Model } from './model.js';

/**
 * The search follows one state per configuration; a model that can reach several states from one step
 * is searched over the set of all states it could be in. Illegal = the set becomes empty.
 */
export function powerset<S, I, O, P>(inner: Model<S, I, O, P>): Model<readonly S[], I, O, P> {
  const canReach = inner.canReach?.bind(inner);
  return {
    ...inner,
    nondeterministic: false,
    partition: inner.partition?.bind(inner),
    init: () => [inner.init()],
    operation: inner.operation.bind(inner),
    step(states, input, output) {
      const next: S[] = [];
      for (const s of states) {
        for (const n of inner.step(s, input, output)) if (!next.some((x) => inner.equal(x, n))) next.push(n);
      }
      return next.length === 0 ? [] : [next];
    },
    equal: (a, b) => a.length === b.length && a.every((x) => b.some((y) => inner.equal(x, y))),
    hash: (states) => states.reduce((h, s) => (h + inner.hash(s)) | 0, 0),
    describeOperation: inner.describeOperation.bind(inner),
    describeState: (states) => (states.length === 1 ? inner.describeState(states[0]) : `{${states.map((s) => inner.describeState(s)).join(' | ')}}`),
    canReach: canReach ? (states, pin) => states.some((s) => canReach(s, pin)) : undefined,
    // A set of states is not "dead" in the single-state sense the hook promises.
    deadState: undefined,
    // Over a set of states a read narrows the set, so moving it earlier can change what follows.
    readOnly: undefined,
  };
}
