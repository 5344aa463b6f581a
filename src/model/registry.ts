// Builds a model from its name and options: the CLI's --model and the worker threads' way to rebuild it.
import { casRegister } from './cas-register.js';
import { keyed } from './keyed.js';
import { kv } from './kv.js';
import type { AnyModel, ModelSpec } from './model.js';
import { register } from './register.js';

/** One line per model; a new model is one file plus one line here. */
const MODELS: Record<string, (o: { initial?: unknown }) => AnyModel> = {
  register: (o) => register(o) as AnyModel,
  'cas-register': (o) => casRegister(o) as AnyModel,
  kv: (o) => kv(o) as AnyModel,
};

export const MODEL_NAMES = Object.keys(MODELS);

export function createModel(spec: ModelSpec): AnyModel {
  const make = MODELS[spec.name];
  if (!make) throw new Error(`unknown model "${spec.name}" (known: ${MODEL_NAMES.join(', ')})`);
  const model = make({ initial: spec.initial });
  return spec.partition === false ? (keyed(model) as AnyModel) : model;
}
