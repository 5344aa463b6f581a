// Test specs: loads a workloads/*.json preset or a path, validates it with file:line:col errors, applies flags.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../history/op.js';
import type { LabKind } from '../lab/lab.js';
import { usageError } from '../util/errors.js';
import { createWorkload, WORKLOAD_NAMES } from '../workload/index.js';
import type { Mix } from '../generator/generator.js';
import { parseLocated, plain, JsonSyntaxError, type JNode, type Pos } from '../util/json-locate.js';
import { validate, type Schema } from './schema.js';
import { settingsFor, systemByName, SYSTEM_NAMES } from '../system/index.js';
import type { RaftSettings } from '../system/system.js';

/** A resolved test: every field has a value. */
export interface TestSpec {
  name: string;
  description: string;
  /** undefined: etcd when installed, else the embedded antietcd (decided at run time, like the lab). */
  system?: string;
  /** The system's own switches by name (System.options), e.g. { staleRead: false } for antietcd. */
  systemOptions?: Record<string, boolean | number>;
  /** undefined: netns when root, else host (decided at run time). */
  lab?: LabKind;
  /** The ssh lab's hosts, `[user@]address[:port]` each, or a hosts file (src/lab/ssh-hosts.ts). */
  hosts?: string[];
  hostsFile?: string;
  nodes: number;
  workload: {
    name: string;
    mix?: Mix;
    nodeMix?: Record<string, Mix>;
    opsPerKey: number;
    /** Workers sharing a key; default one per node. */
    threadsPerKey?: number;
    valueRange: number;
  };
  /** Nemesis schedule name (nemeses/<name>.json), nemesis names, an inline schedule, or "none". */
  nemesis: Json;
  timeLimitS: number;
  warmupS: number;
  recoveryS: number;
  concurrency: number;
  /** Global ops/s; undefined = as fast as the workers go. */
  rate?: number;
  timeoutMs: number;
  serializableReads: boolean;
  raft: { heartbeatMs: number; electionMs: number; preVote: boolean; snapshotCount?: number };
  seed?: number;
  /** Where the spec came from (path), for test.json and messages. */
  source?: string;
}

const mix: Schema = { type: 'record', values: { type: 'number', min: 0 } };

/** The spec file schema. Every field is optional: defaults below fill the rest. */
const SPEC_SCHEMA: Schema = {
  type: 'object',
  fields: {
    name: { type: 'string' },
    description: { type: 'string' },
    system: { type: 'string', enum: [...SYSTEM_NAMES] },
    systemOptions: { type: 'record', values: { type: 'oneOf', options: [{ type: 'boolean' }, { type: 'number' }] } },
    lab: { type: 'string', enum: ['host', 'netns', 'ssh'] },
    hosts: { type: 'array', items: { type: 'string' } },
    hostsFile: { type: 'string' },
    nodes: { type: 'number', integer: true, min: 1, max: 9 },
    workload: {
      type: 'object',
      fields: {
        name: { type: 'string', enum: WORKLOAD_NAMES },
        mix,
        nodeMix: { type: 'record', values: mix },
        opsPerKey: { type: 'number', integer: true, min: 1 },
        threadsPerKey: { type: 'number', integer: true, min: 1 },
        valueRange: { type: 'number', integer: true, min: 1 },
      },
      required: ['name'],
    },
    // Names or a schedule; the schedule's own parser checks the inside of an inline schedule.
    nemesis: { type: 'oneOf', options: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'record', values: { type: 'any' } }] },
    timeLimitS: { type: 'number', min: 1 },
    warmupS: { type: 'number', min: 0 },
    recoveryS: { type: 'number', min: 0 },
    concurrency: { type: 'number', integer: true, min: 1 },
    rate: { type: 'oneOf', options: [{ type: 'number', min: 0.1 }, { type: 'null' }] },
    timeoutMs: { type: 'number', integer: true, min: 10 },
    serializableReads: { type: 'boolean' },
    raft: {
      type: 'object',
      fields: {
        heartbeatMs: { type: 'number', integer: true, min: 1 },
        electionMs: { type: 'number', integer: true, min: 5 },
        preVote: { type: 'boolean' },
        snapshotCount: { type: 'number', integer: true, min: 1 },
      },
    },
    seed: { type: 'number', integer: true, min: 0 },
  },
};

export const DEFAULT_SPEC: TestSpec = {
  name: 'register',
  description: 'Independent registers (read/write/cas) under the default nemesis schedule',
  nodes: 3,
  workload: { name: 'register', opsPerKey: 300, valueRange: 5 },
  nemesis: 'default',
  timeLimitS: 30,
  warmupS: 3,
  recoveryS: 5,
  concurrency: 6,
  timeoutMs: 2000,
  serializableReads: false,
  raft: { heartbeatMs: 100, electionMs: 1000, preVote: false },
};

/** Flags of `faultline run` that override the spec file. */
export interface SpecOverrides {
  system?: string;
  /** Merged over the spec file's systemOptions. */
  systemOptions?: Record<string, boolean | number>;
  lab?: LabKind;
  hosts?: string[];
  hostsFile?: string;
  nodes?: number;
  timeLimitS?: number;
  concurrency?: number;
  rate?: number;
  nemesis?: string[];
  heartbeatMs?: number;
  electionMs?: number;
  preVote?: boolean;
  serializableReads?: boolean;
  seed?: number;
  timeoutMs?: number;
}

/** The package root (holds workloads/ and nemeses/), found from this file in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'workloads'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** A spec argument is a preset name (workloads/<name>.json) unless it looks like a path. */
export function specPath(arg: string): string {
  if (arg.includes('/') || arg.endsWith('.json')) return resolve(arg);
  return join(packageRoot(), 'workloads', `${arg}.json`);
}

/** How a file is named in messages: relative to the working directory when inside it. */
function shown(file: string): string {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : file;
}

const at = (file: string, pos: Pos, msg: string): never => {
  throw usageError(`${shown(file)}:${pos.line}:${pos.col}: ${msg}`);
};

function field(n: JNode, ...path: string[]): JNode | undefined {
  let cur: JNode | undefined = n;
  for (const p of path) {
    if (cur?.kind !== 'object') return undefined;
    cur = cur.entries.find((e) => e.key === p)?.value;
  }
  return cur;
}

/** Loads and validates a spec file; every problem is a usage error (exit 3) pointing at file:line:col. */
export function loadSpecFile(file: string): TestSpec {
  if (!existsSync(file)) {
    const presets = join(packageRoot(), 'workloads');
    throw usageError(`spec ${shown(file)} not found (give a path, or a preset name from ${shown(presets)}/)`);
  }
  const text = readFileSync(file, 'utf8');
  let root: JNode;
  try {
    root = parseLocated(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return at(file, e.pos, e.message);
    throw e;
  }
  const problem = validate(root, SPEC_SCHEMA);
  if (problem) return at(file, problem.pos, `${problem.path.replace(/^\$\.?/, '') || 'spec'}: ${problem.message}`);

  const raw = plain(root) as Partial<TestSpec> & { rate?: number | null };
  const spec: TestSpec = {
    ...DEFAULT_SPEC,
    ...raw,
    name: raw.name ?? basename(file, '.json'),
    workload: { ...DEFAULT_SPEC.workload, ...raw.workload } as TestSpec['workload'],
    raft: { ...DEFAULT_SPEC.raft, ...raw.raft },
    source: file,
  };
  if (raw.rate === null) delete spec.rate;

  // Checks that need more than types, still located.
  const workload = createWorkload(spec.workload.name)!;
  const checkMix = (m: JNode | undefined, where: string): void => {
    if (m?.kind !== 'object') return;
    for (const e of m.entries) {
      if (!workload.fs.includes(e.key)) at(file, e.keyPos, `${where}: workload ${workload.name} has no operation "${e.key}" (it has ${workload.fs.join(', ')})`);
    }
    if (m.entries.length > 0 && m.entries.every((e) => e.value.kind === 'number' && e.value.value === 0)) at(file, m.pos, `${where}: every weight is 0`);
  };
  checkMix(field(root, 'workload', 'mix'), 'workload.mix');
  const nodeMix = field(root, 'workload', 'nodeMix');
  if (nodeMix?.kind === 'object') {
    for (const e of nodeMix.entries) {
      if (!/^n[1-9]$/.test(e.key) || Number(e.key.slice(1)) > spec.nodes) at(file, e.keyPos, `workload.nodeMix: no node "${e.key}" in a ${spec.nodes}-node cluster (n1..n${spec.nodes})`);
      checkMix(e.value, `workload.nodeMix.${e.key}`);
    }
  }
  // A named system checks its own rules here, located; with no system the run checks once it has picked one.
  if (spec.system !== undefined) {
    const problem = settingsProblem(spec);
    if (problem) at(file, (field(root, 'raft') ?? field(root, 'systemOptions') ?? root).pos, problem);
  }
  return spec;
}

/** Resolves SPEC (preset name, path, or undefined for the default preset) and applies flag overrides. */
export function resolveSpec(arg: string | undefined, o: SpecOverrides): TestSpec {
  const file = specPath(arg ?? 'register');
  const spec = loadSpecFile(file);
  if (o.system !== undefined) spec.system = o.system;
  if (o.systemOptions !== undefined) spec.systemOptions = { ...spec.systemOptions, ...o.systemOptions };
  if (o.lab !== undefined) spec.lab = o.lab;
  if (o.hosts !== undefined) spec.hosts = o.hosts;
  if (o.hostsFile !== undefined) spec.hostsFile = resolve(o.hostsFile);
  if (o.nodes !== undefined) spec.nodes = o.nodes;
  if (o.timeLimitS !== undefined) spec.timeLimitS = o.timeLimitS;
  if (o.concurrency !== undefined) spec.concurrency = o.concurrency;
  if (o.rate !== undefined) spec.rate = o.rate;
  if (o.nemesis !== undefined) spec.nemesis = o.nemesis.length === 1 ? o.nemesis[0]! : o.nemesis;
  if (o.heartbeatMs !== undefined) spec.raft.heartbeatMs = o.heartbeatMs;
  if (o.electionMs !== undefined) spec.raft.electionMs = o.electionMs;
  if (o.preVote !== undefined) spec.raft.preVote = o.preVote;
  if (o.serializableReads !== undefined) spec.serializableReads = o.serializableReads;
  if (o.seed !== undefined) spec.seed = o.seed;
  if (o.timeoutMs !== undefined) spec.timeoutMs = o.timeoutMs;

  if (spec.system !== undefined) {
    const problem = settingsProblem(spec);
    if (problem) throw usageError(problem);
  }
  for (const n of Object.keys(spec.workload.nodeMix ?? {})) {
    if (Number(n.slice(1)) > spec.nodes) throw usageError(`${shown(file)}: workload.nodeMix names ${n}, but --nodes is ${spec.nodes}`);
  }
  return spec;
}

/** The settings a spec gives its system (System.options filled in by the system registry). */
export function specSettings(spec: TestSpec): RaftSettings {
  const { heartbeatMs, electionMs, preVote, snapshotCount } = spec.raft;
  return { heartbeatMs, electionMs, preVote, ...(snapshotCount ? { snapshotCount } : {}), ...(spec.systemOptions ? { options: spec.systemOptions } : {}) };
}

/** The system's own verdict on the spec's settings, as one line, or undefined when it accepts them. */
function settingsProblem(spec: TestSpec): string | undefined {
  try {
    settingsFor(systemByName(spec.system!), specSettings(spec));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
