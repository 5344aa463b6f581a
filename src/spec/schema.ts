// A small schema language for spec files: checks a located JSON tree and reports path and line:col of the
// first problem (wrong type, out of range, unknown field, missing field).
import type { JNode, Pos } from '../util/json-locate.js';

export type Schema =
  | { type: 'number'; min?: number; max?: number; integer?: boolean }
  | { type: 'string'; enum?: readonly string[] }
  | { type: 'boolean' }
  | { type: 'null' }
  | { type: 'array'; items: Schema }
  | { type: 'object'; fields: Record<string, Schema>; required?: readonly string[] }
  /** An object with arbitrary keys whose values follow `values` (e.g. a mix { read: 2 }). */
  | { type: 'record'; values: Schema }
  | { type: 'oneOf'; options: readonly Schema[] }
  /** Anything: validated later by its owner (e.g. a nemesis schedule). */
  | { type: 'any' };

export interface SchemaProblem {
  pos: Pos;
  path: string;
  message: string;
}

const kindName = (n: JNode): string => (n.kind === 'number' && Number.isInteger(n.value) ? 'integer' : n.kind);

function describeSchema(s: Schema): string {
  switch (s.type) {
    case 'number':
      return s.integer ? 'an integer' : 'a number';
    case 'string':
      return s.enum ? `one of ${s.enum.map((e) => `"${e}"`).join(', ')}` : 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return 'an array';
    case 'object':
    case 'record':
      return 'an object';
    case 'oneOf':
      return s.options.map(describeSchema).join(' or ');
    case 'any':
      return 'anything';
  }
}

/** Returns the first problem, or undefined when the node fits the schema. */
export function validate(n: JNode, s: Schema, path = '$'): SchemaProblem | undefined {
  const wrong = (): SchemaProblem => ({ pos: n.pos, path, message: `expected ${describeSchema(s)}, got ${kindName(n)}` });
  switch (s.type) {
    case 'any':
      return undefined;
    case 'null':
      return n.kind === 'null' ? undefined : wrong();
    case 'boolean':
      return n.kind === 'boolean' ? undefined : wrong();
    case 'number':
      if (n.kind !== 'number' || (s.integer && !Number.isInteger(n.value))) return wrong();
      if (s.min !== undefined && n.value < s.min) return { pos: n.pos, path, message: `must be >= ${s.min}, got ${n.value}` };
      if (s.max !== undefined && n.value > s.max) return { pos: n.pos, path, message: `must be <= ${s.max}, got ${n.value}` };
      return undefined;
    case 'string':
      if (n.kind !== 'string') return wrong();
      if (s.enum && !s.enum.includes(n.value)) return { pos: n.pos, path, message: `expected ${describeSchema(s)}, got "${n.value}"` };
      return undefined;
    case 'array':
      if (n.kind !== 'array') return wrong();
      for (let k = 0; k < n.items.length; k++) {
        const p = validate(n.items[k]!, s.items, `${path}[${k}]`);
        if (p) return p;
      }
      return undefined;
    case 'record':
      if (n.kind !== 'object') return wrong();
      for (const e of n.entries) {
        const p = validate(e.value, s.values, `${path}.${e.key}`);
        if (p) return p;
      }
      return undefined;
    case 'object': {
      if (n.kind !== 'object') return wrong();
      const seen = new Set<string>();
      for (const e of n.entries) {
        const fs = s.fields[e.key];
        if (!fs) return { pos: e.keyPos, path: `${path}.${e.key}`, message: `unknown field "${e.key}" (known: ${Object.keys(s.fields).join(', ')})` };
        if (seen.has(e.key)) return { pos: e.keyPos, path: `${path}.${e.key}`, message: `field "${e.key}" given twice` };
        seen.add(e.key);
        const p = validate(e.value, fs, `${path}.${e.key}`);
        if (p) return p;
      }
      for (const r of s.required ?? []) if (!seen.has(r)) return { pos: n.pos, path, message: `missing required field "${r}"` };
      return undefined;
    }
    case 'oneOf': {
      // Report the problem of the option matching the node's kind, if one does: more useful than "expected A or B".
      let first: SchemaProblem | undefined;
      for (const o of s.options) {
        const p = validate(n, o, path);
        if (!p) return undefined;
        if (!first || p.path !== path) first = p.path !== path ? p : first;
      }
      return first && first.path !== path ? first : wrong();
    }
  }
}
