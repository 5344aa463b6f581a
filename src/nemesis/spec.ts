// Reads and validates nemesis schedule files (nemeses/*.json), reporting every problem as file:line:col.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../history/op.js';
import { usageError } from '../util/errors.js';
import { JsonSyntaxError, parseLocated as parseJson, plain, type JNode, type Pos } from '../util/json-locate.js';
import { nemesisNames } from './registry.js';
import type { Schedule, ScheduleMode } from './schedule.js';

/** A parsed JSON document plus where each value starts, keyed by its path ("", "/faults/0"); "/a#key" is where key a starts. */
export interface LocatedJson {
  value: Json;
  at: Map<string, Pos>;
}

const KEYS = new Set(['description', 'faults', 'mode', 'interval', 'duration', 'concurrent', 'options']);
const MODES: readonly ScheduleMode[] = ['cycle', 'random', 'once'];

/** Parses a schedule file with positions (the shared locating parser), because JSON.parse cannot say where a valid value that breaks the schema is. */
export function parseLocated(text: string): LocatedJson {
  const root = parseJson(text);
  const at = new Map<string, Pos>();
  const walk = (n: JNode, path: string): void => {
    at.set(path, n.pos);
    if (n.kind === 'array') n.items.forEach((item, i) => walk(item, `${path}/${i}`));
    if (n.kind === 'object')
      for (const e of n.entries) {
        at.set(`${path}/${e.key}#key`, e.keyPos);
        walk(e.value, `${path}/${e.key}`);
      }
  };
  walk(root, '');
  return { value: plain(root) as Json, at };
}

/**
 * Validates a schedule document; problems are `file:line:col: message`, all of them, so one edit fixes a file.
 * Returns the schedule with defaults filled in.
 */
export function validateSchedule(text: string, file: string, known: readonly string[] = nemesisNames()): Schedule {
  let doc: LocatedJson;
  try {
    doc = parseLocated(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw usageError(`${file}:${e.pos.line}:${e.pos.col}: ${e.message}`);
    throw e;
  }
  const errors: string[] = [];
  const err = (path: string, msg: string): void => {
    const { line, col } = doc.at.get(path) ?? { line: 1, col: 1 };
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
