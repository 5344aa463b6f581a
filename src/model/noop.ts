// The noop model (Knossos's `noop`): every operation is legal and nothing changes; checks only pairing.
import type { Op } from '../history/op.js';
import type { Model } from './model.js';
import { canonical } from './values.js';

/** The op's name and value, for descriptions only. */
export interface NoopInput {
  f: string;
  value: string;
}

export type NoopModel = Model<string, NoopInput, true, never>;

const STATE = 'noop';

export function noop(): NoopModel {
  return {
    name: 'noop',
    spec: { name: 'noop' },
    init: () => STATE,
    operation: (invoke: Op, completion: Op | undefined) => ({ input: { f: invoke.f, value: canonical(invoke.value) }, output: completion ? true : undefined }),
    step: (state) => [state],
    readOnly: () => true,
    equal: (a, b) => a === b,
    hash: () => 0,
    inputKey: (input) => `${input.f} ${input.value}`,
    describeOperation: (input, output) => `${input.f}(${input.value === 'null' ? '' : input.value})${output === undefined ? ' ?' : ''}`,
    describeState: () => STATE,
  };
}
