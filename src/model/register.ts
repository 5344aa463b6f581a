// The register model: one read/write register; a read must return the last value written.
import { registerModel, type RegisterModel } from './cas-register.js';
import type { ModelOptions } from './model.js';

export function register(options: ModelOptions = {}): RegisterModel {
  return registerModel('register', false, options);
}
