// The cas-register model: one register with read, write and compare-and-set (Jepsen's cas-register).
import type { Op } from '../history/op.js';
import { ModelInputError, type Model, type ModelOptions, type NilRead } from './model.js';
import { canonical, hashString } from './values.js';

/** Values are kept in canonical JSON text, so equality is `===` and states intern cheaply. */
export type RegisterInput =
  | { f: 'read' }
  | { f: 'write'; value: string }
  | { f: 'cas'; from: string; to: string };

/** read: the value read; cas: whether it succeeded; write: true. `undefined` = unknown outcome. */
export type RegisterOutput = string | boolean;

/** What a completed op requires of the state just before it: a value, or (failed cas) not that value. */
export type RegisterPin = string | { not: string };

export type RegisterModel = Model<string, RegisterInput, RegisterOutput, RegisterPin>;

const ILLEGAL: readonly string[] = [];

export function casRegister(options: ModelOptions = {}): RegisterModel {
  return registerModel('cas-register', true, options);
}

/** Shared with the plain register, which is this model without cas. */
export function registerModel(name: string, allowCas: boolean, options: ModelOptions): RegisterModel {
  const initialValue = options.initial ?? null;
  const nilRead = options.nilRead ?? 'absent';
  const initial = canonical(initialValue);
  return {
    name,
    spec: { name, initial: initialValue, nilRead },
    init: () => initial,
    operation: (invoke, completion) => readOperation(invoke, completion, allowCas, name, nilRead),
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          return output === undefined || output === state ? [state] : ILLEGAL;
        case 'write':
          return [input.value];
        case 'cas':
          if (output === false) return state !== input.from ? [state] : ILLEGAL;
          // Unknown outcome: if it takes effect it behaves like a successful cas on a matching state and
          // like a no-op otherwise; "never took effect" is the search's choice not to linearize it.
          if (output === undefined) return state === input.from ? [input.to] : [state];
          return state === input.from ? [input.to] : ILLEGAL;
      }
    },
    blind: (input) => input.f === 'write',
    readOnly: (input, output) => input.f === 'read' || (input.f === 'cas' && output === false),
    equal: (a, b) => a === b,
    hash: hashString,
    inputKey: (input) => (input.f === 'cas' ? `cas ${input.from} ${input.to}` : input.f === 'write' ? `write ${input.value}` : 'read'),
    describeOperation(input, output) {
      const out = output === undefined ? ' ?' : '';
      switch (input.f) {
        case 'read':
          return `read() → ${output === undefined ? '?' : String(output)}`;
        case 'write':
          return `write(${input.value})${out}`;
        case 'cas':
          return `cas(${input.from} → ${input.to})${output === false ? ' failed' : out}`;
      }
    },
    describeState: (s) => s,
    // A completed read pins the state to its value, a successful cas to `from`, a failed cas to anything
    // but `from`. Writes and (possibly) successful cas move the register anywhere; nothing else moves it.
    pin(input, output) {
      if (input.f === 'read' && typeof output === 'string') return output;
      if (input.f === 'cas' && output === true) return input.from;
      if (input.f === 'cas' && output === false) return { not: input.from };
      return undefined;
    },
    resets: (input, output) => input.f === 'write' || (input.f === 'cas' && output !== false),
    canReach: (state, pin) => (typeof pin === 'string' ? state === pin : state !== pin.not),
    // Without cas every op that neither pins nor resets is a read of unknown outcome, legal anywhere, so
    // all states no pending read can see are interchangeable. A failed cas breaks that (its legality
    // depends on the exact value), hence no dead state for cas-register.
    deadState: allowCas
      ? undefined
      : (pins: readonly RegisterPin[]) => {
          const taken = new Set(pins.map((p) => (typeof p === 'string' ? p : p.not)));
          let n = 0;
          while (taken.has(`"<unobserved ${n}>"`)) n++;
          return `"<unobserved ${n}>"`;
        },
  };
}

// One shared input for every read: a million-op history has half a million of them.
const READ: RegisterInput = { f: 'read' };

function readOperation(invoke: Op, completion: Op | undefined, allowCas: boolean, name: string, nilRead: NilRead): { input: RegisterInput; output: RegisterOutput | undefined } {
  switch (invoke.f) {
    case 'read':
      return { input: READ, output: readValue(completion, nilRead) };
    case 'write':
      return { input: { f: 'write', value: canonical(invoke.value) }, output: completion ? true : undefined };
    case 'cas': {
      if (!allowCas) throw new ModelInputError(`model ${name} has no cas (use --model cas-register)`);
      const v = invoke.value;
      if (!Array.isArray(v) || v.length !== 2) throw new ModelInputError(`cas value must be [expected, new], got ${JSON.stringify(v)}`);
      const output = completion ? completion.succeeded !== false : undefined;
      return { input: { f: 'cas', from: canonical(v[0]), to: canonical(v[1]) }, output };
    }
    default:
      throw new ModelInputError(`model ${name} does not understand f="${invoke.f}" (it knows read, write${allowCas ? ', cas' : ''})`);
  }
}

/**
 * The value a completed read saw, canonical; `undefined` when it tells nothing: no completion, or a `null`
 * read under the 'any' rule (Knossos: "we don't know what the read was"). Shared by the register models.
 */
export function readValue(completion: Op | undefined, nilRead: NilRead): string | undefined {
  if (!completion) return undefined;
  const v = completion.value ?? null;
  return v === null && nilRead === 'any' ? undefined : canonical(v);
}
