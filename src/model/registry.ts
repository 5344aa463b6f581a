// Builds a model from its name and options: the CLI's --model and the worker threads' way to rebuild it.
import { casRegister } from './cas-register.js';
import { keyed } from './keyed.js';
import { kv } from './kv.js';
import type { AnyModel, ModelOptions, ModelSpec } from './model.js';
import { multiRegister } from './multi-register.js';
import { mutex } from './mutex.js';
import { noop } from './noop.js';
import { fifoQueue, unorderedQueue } from './queue.js';
import { register } from './register.js';
import { set } from './set.js';

/** One line per model; a new model is one file plus one line here. All of Knossos's, and Porcupine's kv. */
const MODELS: Record<string, (o: ModelOptions) => AnyModel> = {
  register: (o) => register(o) as AnyModel,
  'cas-register': (o) => casRegister(o) as AnyModel,
  'multi-register': (o) => multiRegister(o) as AnyModel,
  mutex: () => mutex() as AnyModel,
  set: (o) => set(o) as AnyModel,
  'unordered-queue': (o) => unorderedQueue(o) as AnyModel,
  'fifo-queue': (o) => fifoQueue(o) as AnyModel,
  noop: () => noop() as AnyModel,
  kv: (o) => kv(o) as AnyModel,
};

export const MODEL_NAMES = Object.keys(MODELS);

export function createModel(spec: ModelSpec): AnyModel {
  const make = MODELS[spec.name];
  if (!make) throw new Error(`unknown model "${spec.name}" (known: ${MODEL_NAMES.join(', ')})`);
  const model = make({ initial: spec.initial, nilRead: spec.nilRead });
  return spec.partition === false ? (keyed(model) as AnyModel) : model;
}
