// Value helpers shared by the models: a canonical text form of JSON values and a fast string hash.
/**
 * Canonical JSON text: object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same register
 * value. Register states are kept in this form, which makes equality a string comparison.
 */
export function canonical(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + canonical(o[k])).join(',') + '}';
}

/** FNV-1a over UTF-16 code units; 32-bit, good enough to bucket states (equality is always checked). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}
