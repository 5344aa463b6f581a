// The register model: one read/write register; a read must return the last value written.
import { registerModel, type RegisterModel } from './cas-register.js';

export function register(options: { initial?: unknown } = {}): RegisterModel {
  return registerModel('register', false, options.initial ?? null);
}
