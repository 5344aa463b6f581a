// The mutex model (Knossos's `mutex`): acquire takes a free lock, release frees a held one.
import type { Op } from '../history/op.js';
import { ModelInputError, type Model } from './model.js';
import { hashString } from './values.js';

export type MutexState = 'free' | 'held';
export type MutexInput = 'acquire' | 'release';
export type MutexModel = Model<MutexState, MutexInput, true, never>;

const ILLEGAL: readonly MutexState[] = [];
const HELD: readonly MutexState[] = ['held'];
const FREE: readonly MutexState[] = ['free'];

/** Starts free, as Knossos's does. An op of unknown outcome, if it took effect, did what a completed one does. */
export function mutex(): MutexModel {
  return {
    name: 'mutex',
    spec: { name: 'mutex' },
    init: () => 'free',
    operation(invoke: Op, completion: Op | undefined) {
      if (invoke.f !== 'acquire' && invoke.f !== 'release') throw new ModelInputError(`model mutex does not understand f="${invoke.f}" (it knows acquire, release)`);
      return { input: invoke.f, output: completion ? true : undefined };
    },
    step: (state, input) => (input === 'acquire' ? (state === 'free' ? HELD : ILLEGAL) : state === 'held' ? FREE : ILLEGAL),
    equal: (a, b) => a === b,
    hash: hashString,
    inputKey: (input) => input,
    describeOperation: (input, output) => `${input}()${output === undefined ? ' ?' : ''}`,
    describeState: (s) => s,
  };
}
