// Loads and validates scenario presets (scenarios/*.json); every problem is a one-line usage error (exit 3).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../history/op.js';
import { nemesisNames } from '../nemesis/registry.js';
import { packageRoot } from '../spec/spec.js';
import { usageError } from '../util/errors.js';
import { findSystem, settingsFor, SYSTEM_NAMES } from '../system/index.js';
import { WORKLOAD_NAMES } from '../workload/index.js';
import type { ClusterSettings, Form, RaftOverride, ScenarioPreset, Variant } from './types.js';

export const scenariosDir = (): string => join(packageRoot(), 'scenarios');

/** Preset names in catalogue order: files are numbered (01-gray-failure.json) so the order is the issue's. */
export function presetFiles(): { name: string; file: string }[] {
  const dir = scenariosDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/^\d+-/, '').replace(/\.json$/, ''), file: join(dir, f) }));
}

type Obj = Record<string, Json>;

class Checker {
  constructor(private readonly file: string) {}
  fail(path: string, msg: string): never {
    throw usageError(`${this.file}: ${path}: ${msg}`);
  }
  obj(v: Json | undefined, path: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be an object');
    return v as Obj;
  }
  str(v: Json | undefined, path: string): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(path, 'must be a non-empty string');
    return v as string;
  }
  num(v: Json | undefined, path: string, min: number, integer = false): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) this.fail(path, `must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
    return v as number;
  }
  bool(v: Json | undefined, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'must be true or false');
    return v as boolean;
  }
  keys(o: Obj, path: string, known: readonly string[]): void {
    for (const k of Object.keys(o)) if (!known.includes(k)) this.fail(`${path}.${k}`, `unknown key (known: ${known.join(', ')})`);
  }
}

function form(c: Checker, v: Json | undefined, path: string): Form {
  const o = c.obj(v, path);
  c.keys(o, path, ['runs', 'faultsPerRun', 'calmS', 'holdS', 'warmupS', 'recoveryS']);
  return {
    runs: c.num(o['runs'], `${path}.runs`, 1, true),
    faultsPerRun: c.num(o['faultsPerRun'], `${path}.faultsPerRun`, 1, true),
    calmS: c.num(o['calmS'], `${path}.calmS`, 0.5),
    holdS: c.num(o['holdS'], `${path}.holdS`, 0.1),
    warmupS: c.num(o['warmupS'] ?? 2, `${path}.warmupS`, 0),
    recoveryS: c.num(o['recoveryS'] ?? 3, `${path}.recoveryS`, 0),
  };
}

function raft(c: Checker, v: Json | undefined, path: string): RaftOverride {
  const o = c.obj(v, path);
  c.keys(o, path, ['heartbeatMs', 'electionMs', 'preVote']);
  const out: RaftOverride = {};
  if (o['heartbeatMs'] !== undefined) out.heartbeatMs = c.num(o['heartbeatMs'], `${path}.heartbeatMs`, 1, true);
  if (o['electionMs'] !== undefined) out.electionMs = c.num(o['electionMs'], `${path}.electionMs`, 5, true);
  if (o['preVote'] !== undefined) out.preVote = c.bool(o['preVote'], `${path}.preVote`);
  return out;
}

function switches(c: Checker, v: Json | undefined, path: string): Record<string, boolean | number> {
  const o = c.obj(v, path);
  for (const [k, x] of Object.entries(o)) if (typeof x !== 'boolean' && typeof x !== 'number') c.fail(`${path}.${k}`, 'must be true, false or a number');
  return o as Record<string, boolean | number>;
}

/** Parses one preset; `kinds` are the registered measurement modules. */
export function parsePreset(text: string, file: string, kinds: readonly string[]): ScenarioPreset {
  const c = new Checker(file);
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    throw usageError(`${file}: not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const o = c.obj(doc, '$');
  c.keys(o, '$', ['name', 'title', 'claim', 'kind', 'cluster', 'variants', 'short', 'full', 'criteria', 'description']);
  const kind = c.str(o['kind'], 'kind');
  if (!kinds.includes(kind)) c.fail('kind', `unknown scenario kind "${kind}" (known: ${kinds.join(', ')})`);
  const co = c.obj(o['cluster'], 'cluster');
  c.keys(co, 'cluster', ['system', 'systemOptions', 'nodes', 'lab', 'heartbeatMs', 'electionMs', 'preVote', 'concurrency', 'timeoutMs', 'workload', 'rate']);
  const system = co['system'] ?? 'etcd';
  if (typeof system !== 'string' || !findSystem(system)) c.fail('cluster.system', `must be one of ${SYSTEM_NAMES.join(', ')}`);
  const lab = co['lab'] ?? 'host';
  if (lab !== 'host' && lab !== 'netns') c.fail('cluster.lab', 'must be host or netns');
  const workload = co['workload'] ?? 'register';
  if (typeof workload !== 'string' || !WORKLOAD_NAMES.includes(workload)) c.fail('cluster.workload', `must be one of ${WORKLOAD_NAMES.join(', ')}`);
  const cluster: ClusterSettings = {
    system: system as string,
    nodes: c.num(co['nodes'], 'cluster.nodes', 1, true),
    lab: lab as 'host' | 'netns',
    heartbeatMs: c.num(co['heartbeatMs'] ?? 100, 'cluster.heartbeatMs', 1, true),
    electionMs: c.num(co['electionMs'] ?? 1000, 'cluster.electionMs', 5, true),
    preVote: c.bool(co['preVote'] ?? false, 'cluster.preVote'),
    concurrency: c.num(co['concurrency'] ?? 6, 'cluster.concurrency', 1, true),
    timeoutMs: c.num(co['timeoutMs'] ?? 2000, 'cluster.timeoutMs', 10, true),
    workload: workload as string,
  };
  if (co['systemOptions'] !== undefined) cluster.systemOptions = switches(c, co['systemOptions'], 'cluster.systemOptions');
  if (co['rate'] !== undefined) cluster.rate = c.num(co['rate'], 'cluster.rate', 0.1);
  if (cluster.nodes > 9) c.fail('cluster.nodes', 'must be at most 9');
  if (!Array.isArray(o['variants']) || o['variants'].length === 0) c.fail('variants', 'must be a non-empty array');
  const known = nemesisNames();
  const variants: Variant[] = (o['variants'] as Json[]).map((v, i) => {
    const p = `variants[${i}]`;
    const vo = c.obj(v, p);
    c.keys(vo, p, ['name', 'label', 'fault', 'options', 'raft', 'systemOptions']);
    const fault = c.str(vo['fault'], `${p}.fault`);
    if (!known.includes(fault)) c.fail(`${p}.fault`, `unknown nemesis "${fault}" (known: ${known.join(', ')})`);
    const name = c.str(vo['name'], `${p}.name`);
    if (!/^[a-z0-9-]+$/.test(name)) c.fail(`${p}.name`, 'use lowercase letters, digits and dashes');
    const out: Variant = { name, label: c.str(vo['label'] ?? name, `${p}.label`), fault };
    if (vo['options'] !== undefined) out.options = c.obj(vo['options'], `${p}.options`);
    if (vo['raft'] !== undefined) out.raft = raft(c, vo['raft'], `${p}.raft`);
    if (vo['systemOptions'] !== undefined) out.systemOptions = switches(c, vo['systemOptions'], `${p}.systemOptions`);
    // The system's own rules (etcd: election >= 5 x heartbeat), so a bad preset fails before any trial runs.
    try {
      settingsFor(findSystem(cluster.system)!, {
        heartbeatMs: out.raft?.heartbeatMs ?? cluster.heartbeatMs,
        electionMs: out.raft?.electionMs ?? cluster.electionMs,
        preVote: out.raft?.preVote ?? cluster.preVote,
        options: { ...cluster.systemOptions, ...out.systemOptions },
      });
    } catch (e) {
      c.fail(`${p}`, (e as Error).message);
    }
    return out;
  });
  if (new Set(variants.map((v) => v.name)).size !== variants.length) c.fail('variants', 'variant names must be unique');
  const criteria: Record<string, number> = {};
  for (const [k, v] of Object.entries(c.obj(o['criteria'] ?? {}, 'criteria'))) criteria[k] = c.num(v, `criteria.${k}`, 0);
  return {
    name: c.str(o['name'], 'name'),
    title: c.str(o['title'], 'title'),
    claim: c.str(o['claim'], 'claim'),
    kind,
    cluster,
    variants,
    short: form(c, o['short'], 'short'),
    full: form(c, o['full'], 'full'),
    criteria,
    source: file,
  };
}

export function loadPreset(file: string, kinds: readonly string[]): ScenarioPreset {
  if (!existsSync(file)) throw usageError(`scenario preset ${file} not found`);
  return parsePreset(readFileSync(file, 'utf8'), file, kinds);
}

/** For `faultline run NAME`: true when NAME is a scenario of the catalogue rather than a workload spec. */
export const isScenarioName = (name: string | undefined): boolean => name !== undefined && presetFiles().some((f) => f.name === name);
