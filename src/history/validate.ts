// Checks one parsed JSONL history line against the Op contract, saying exactly what is wrong.
import { NEMESIS, type Op, type OpType } from './op.js';

const TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

/**
 * Returns the Op, or a message naming the first bad field. `position` is the op's place in the file:
 * `index` must equal it when present (indices are dense from 0) and is filled in when absent; a
 * missing `time` defaults to the position (hand-written histories need no clock).
 */
export function validateOp(v: unknown, position: number): Op | string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'expected a JSON object (one op per line)';
  const o = v as Record<string, unknown>;
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) return `"type" must be invoke, ok, fail or info, got ${show(o.type)}`;
  if (typeof o.f !== 'string' || o.f === '') return `"f" must be a non-empty string, got ${show(o.f)}`;
  const p = o.process;
  if (!(p === NEMESIS || (typeof p === 'number' && Number.isInteger(p) && p >= 0))) return `"process" must be a non-negative integer or "nemesis", got ${show(p)}`;
  if (o.index === undefined) o.index = position;
  else if (o.index !== position) return `"index" is ${show(o.index)} but this is op ${position} (indices are dense from 0)`;
  if (o.time === undefined) o.time = position;
  else if (typeof o.time !== 'number' || !Number.isFinite(o.time) || o.time < 0) return `"time" must be a non-negative number, got ${show(o.time)}`;
  if (o.key !== undefined && typeof o.key !== 'string') return `"key" must be a string, got ${show(o.key)}`;
  if (o.succeeded !== undefined && typeof o.succeeded !== 'boolean') return `"succeeded" must be true or false, got ${show(o.succeeded)}`;
  if (o.succeeded !== undefined && o.f !== 'cas') return `"succeeded" is only for cas ops`;
  if (o.node !== undefined && typeof o.node !== 'string') return `"node" must be a string, got ${show(o.node)}`;
  if (o.error !== undefined && typeof o.error !== 'string') return `"error" must be a string, got ${show(o.error)}`;
  if (o.intended !== undefined && typeof o.intended !== 'number') return `"intended" must be a number, got ${show(o.intended)}`;
  return o as unknown as Op;
}

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
