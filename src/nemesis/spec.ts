// Reads and validates nemesis schedule files (nemeses/*.json), reporting every problem as file:line:col.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../history/op.js';
import { usageError } from '../util/errors.js';
import { nemesisNames } from './registry.js';
import type { Schedule, ScheduleMode } from './schedule.js';

/** A parsed JSON document plus the offset where each value starts, keyed by its path ("", "/faults/0"); "/a#key" is where key a starts. */
export interface LocatedJson {
  value: Json;
  at: Map<string, number>;
}

export class JsonLocateError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * A strict JSON parser that remembers where every value starts, because JSON.parse cannot say where a
 * *valid* value that breaks the schema is. Small on purpose: schedule files are a few hundred bytes.
 */
export function parseLocated(text: string): LocatedJson {
  const at = new Map<string, number>();
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (msg: string): never => {
    throw new JsonLocateError(msg, i);
  };
  const value = (path: string): Json => {
    ws();
    at.set(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, Json> = {};
      ws();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a "quoted" key');
        const keyAt = i;
        const key = str();
        at.set(`${path}/${key}#key`, keyAt);
        ws();
        if (text[i] !== ':') fail(`expected ':' after key "${key}"`);
        i++;
        if (key in obj) throw new JsonLocateError(`duplicate key "${key}"`, keyAt);
        obj[key] = value(`${path}/${key}`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return i++, obj;
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: Json[] = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        arr.push(value(`${path}/${arr.length}`));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return i++, arr;
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!m) return fail(i >= text.length ? 'unexpected end of file' : `unexpected character '${c}'`);
    i += m[0].length;
    return JSON.parse(m[0]) as Json;
  };
  const str = (): string => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) fail('bad string');
    i += m![0].length;
    return JSON.parse(m![0]) as string;
  };
  const v = value('');
  ws();
  if (i < text.length) fail('unexpected text after the JSON value');
  return { value: v, at };
}

/** 1-based line and column of an offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

const KEYS = new Set(['description', 'faults', 'mode', 'interval', 'duration', 'concurrent', 'options']);
const MODES: readonly ScheduleMode[] = ['cycle', 'random', 'once'];

/**
 * Validates a schedule document; problems are `file:line:col: message`, all of them, so one edit fixes a file.
 * Returns the schedule with defaults filled in.
 */
export function validateSchedule(text: string, file: string, known: readonly string[] = nemesisNames()): Schedule {
  let doc: LocatedJson;
  try {
    doc = parseLocated(text);
  } catch (e) {
    if (e instanceof JsonLocateError) {
      const { line, col } = lineCol(text, e.offset);
      throw usageError(`${file}:${line}:${col}: ${e.message}`);
    }
    throw e;
  }
  const errors: string[] = [];
  const err = (path: string, msg: string): void => {
    const { line, col } = lineCol(text, doc.at.get(path) ?? 0);
    errors.push(`${file}:${line}:${col}: ${msg}`);
  };
  const v = doc.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    err('', 'a schedule is an object: { "faults": [...], "mode": "cycle", "interval": 5, "duration": 5 }');
    throw usageError(errors.join('\n'));
  }
  for (const k of Object.keys(v)) if (!KEYS.has(k)) err(`/${k}#key`, `unknown key "${k}" (known: ${[...KEYS].join(', ')})`);
  const faults: string[] = [];
  if (!Array.isArray(v['faults']) || v['faults'].length === 0) {
    err(v['faults'] === undefined ? '' : '/faults', '"faults" must be a non-empty array of nemesis names');
  } else {
    v['faults'].forEach((f, i) => {
      if (typeof f !== 'string') err(`/faults/${i}`, 'a fault is a nemesis name (string)');
      else if (!known.includes(f)) err(`/faults/${i}`, `unknown nemesis "${f}" (known: ${known.join(', ')})`);
      else faults.push(f);
    });
  }
  const mode = v['mode'] ?? 'cycle';
  if (typeof mode !== 'string' || !MODES.includes(mode as ScheduleMode)) err('/mode', `"mode" must be one of ${MODES.join(', ')}`);
  const seconds = (key: 'interval' | 'duration', fallback: number): number => {
    const x = v[key] ?? fallback;
    if (typeof x !== 'number' || !(x >= 0) || (key === 'duration' && x === 0)) err(`/${key}`, `"${key}" must be a number of seconds ${key === 'duration' ? '> 0' : '>= 0'}`);
    return typeof x === 'number' ? x : fallback;
  };
  const interval = seconds('interval', 5);
  const duration = seconds('duration', 5);
  const concurrent = v['concurrent'] ?? false;
  if (typeof concurrent !== 'boolean') err('/concurrent', '"concurrent" must be true or false');
  const options: Record<string, Record<string, Json>> = {};
  const o = v['options'];
  if (o !== undefined) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) err('/options', '"options" must be an object: { "<fault>": { ... } }');
    else {
      for (const [name, opts] of Object.entries(o)) {
        if (!faults.includes(name) && !faults.includes('all')) err(`/options/${name}#key`, `options for "${name}", which is not in "faults"`);
        if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) err(`/options/${name}`, `options of "${name}" must be an object`);
        else options[name] = opts;
      }
    }
  }
  if (errors.length > 0) throw usageError(errors.join('\n'));
  return { faults, mode: mode as ScheduleMode, interval, duration, concurrent: concurrent as boolean, options };
}

/** The nemeses/ folder of this package (from src/nemesis or dist/src/nemesis). */
export function presetDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'nemeses'), join(here, '..', '..', '..', 'nemeses')];
  return candidates.find((p) => existsSync(join(p, 'default.json'))) ?? candidates[0]!;
}

/** A schedule by preset name (`default`, `partitions`) or by path to a JSON file. */
export function loadSchedule(nameOrPath: string): Schedule {
  const preset = join(presetDir(), `${nameOrPath}.json`);
  const file = /[/\\]|\.json$/.test(nameOrPath) ? nameOrPath : preset;
  if (!existsSync(file)) {
    throw usageError(`nemesis schedule "${nameOrPath}" not found: give a preset (${presetNames().join(', ')}) or a path to a .json file`);
  }
  return validateSchedule(readFileSync(file, 'utf8'), file);
}

export function presetNames(): string[] {
  const dir = presetDir();
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
}
