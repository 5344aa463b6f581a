// Spec files: presets load, flags override, and every bad file is a usage error pointing at file:line:col.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseLocated } from '../../src/util/json-locate.js';
import { loadSpecFile, packageRoot, resolveSpec, specPath } from '../../src/spec/spec.js';
import { FaultlineError } from '../../src/util/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fl-spec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specError(text: string): string;
function specError(text: string, expectError: false): string | undefined;
function specError(text: string, expectError = true): string | undefined {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, text);
  try {
    loadSpecFile(file);
    if (!expectError) return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(FaultlineError);
    expect((e as FaultlineError).code).toBe(3);
    const shown = relative(process.cwd(), file);
    return (e as Error).message.replace(shown.startsWith('..') ? file : shown, 'F');
  }
  throw new Error('expected a usage error');
}

describe('json-locate', () => {
  it('records the line and column of values and keys', () => {
    const n = parseLocated('{\n  "a": [1,\n    true]\n}');
    expect(n.kind).toBe('object');
    if (n.kind !== 'object') return;
    expect(n.entries[0]!.keyPos).toEqual({ line: 2, col: 3 });
    const arr = n.entries[0]!.value;
    expect(arr.kind === 'array' && arr.items[1]!.pos).toEqual({ line: 3, col: 5 });
  });
});

describe('spec files', () => {
  it('every preset in workloads/ loads', () => {
    for (const name of ['register', 'kv', 'register-mixed', 'stale-reads']) {
      const s = loadSpecFile(specPath(name));
      expect(s.name).toBe(name);
    }
    expect(specPath('register')).toBe(join(packageRoot(), 'workloads', 'register.json'));
  });

  it('a wrong type names file:line:col, the field and the expected type', () => {
    expect(specError('{\n  "name": "x",\n  "nodes": "three"\n}')).toBe('F:3:12: nodes: expected an integer, got string');
  });

  it('an unknown field points at its key and lists the known ones', () => {
    expect(specError('{\n  "workload": { "name": "register", "opsPerKye": 3 }\n}')).toMatch(/^F:2:37: workload\.opsPerKye: unknown field "opsPerKye" \(known: name, mix, /);
  });

  it('syntax errors, out-of-range numbers, unknown ops and unknown nodes are located', () => {
    expect(specError('{\n  "nodes": 3,\n}')).toBe('F:3:1: unexpected "}": expected a field name in double quotes');
    expect(specError('{ "concurrency": 0 }')).toBe('F:1:18: concurrency: must be >= 1, got 0');
    expect(specError('{ "workload": { "name": "register",\n "mix": { "append": 1 } } }')).toBe(
      'F:2:11: workload.mix: workload register has no operation "append" (it has read, write, cas)',
    );
    expect(specError('{ "workload": { "name": "kv", "nodeMix": { "n4": { "get": 1 } } } }')).toMatch(/^F:1:44: workload\.nodeMix: no node "n4"/);
    expect(specError('{ "workload": { "name": "queue" } }')).toMatch(/^F:1:25: workload\.name: expected one of "register", "kv",( "[a-z-]+",)* got "queue"$/);
    // Each system checks its own rules: etcd's 5× rule, antietcd's lack of pre-vote, located at the raft block.
    expect(specError('{ "system": "etcd", "raft": { "heartbeatMs": 300 } }')).toMatch(/^F:1:29: etcd: election timeout 1000 ms must be at least 5 × heartbeat 300 ms/);
    expect(specError('{ "system": "antietcd", "raft": { "preVote": true } }')).toMatch(/^F:1:33: antietcd: antietcd \(TinyRaft\) has no pre-vote/);
    expect(specError('{ "system": "antietcd", "systemOptions": { "bogus": 1 } }')).toMatch(/bogus is not an option of any system; this run uses antietcd/);
    expect(specError('{ "system": "zk" }')).toMatch(/^F:1:13: system: expected one of "etcd", "antietcd"/);
    // With no system named, the settings are the chosen system's business at run time: the spec itself is fine.
    expect(specError('{ "raft": { "heartbeatMs": 300 } }', false)).toBeUndefined();
  });

  it('flags override the file', () => {
    const s = resolveSpec('stale-reads', { nodes: 5, timeLimitS: 7, concurrency: 2, rate: 50, nemesis: ['none'], preVote: true, serializableReads: false, seed: 9, lab: 'host' });
    expect(s).toMatchObject({ nodes: 5, timeLimitS: 7, concurrency: 2, rate: 50, nemesis: 'none', serializableReads: false, seed: 9, lab: 'host' });
    expect(s.raft.preVote).toBe(true);
    expect(s.workload.nodeMix).toEqual({ n3: { read: 1 } });
  });

  it('a missing spec names the presets folder; flags that break the spec are usage errors', () => {
    expect(() => resolveSpec('no-such-preset', {})).toThrow(/spec .*no-such-preset\.json not found/);
    expect(() => resolveSpec('stale-reads', { nodes: 2 })).toThrow(/nodeMix names n3, but --nodes is 2/);
    expect(() => resolveSpec(undefined, { system: 'etcd', heartbeatMs: 500 })).toThrow(/etcd: election timeout 1000 ms must be at least 5 × heartbeat 500 ms/);
    expect(() => resolveSpec(undefined, { system: 'etcd', systemOptions: { staleRead: false } })).toThrow(/staleRead is an option of antietcd; this run uses etcd/);
    expect(resolveSpec(undefined, { system: 'antietcd', systemOptions: { staleRead: false } }).systemOptions).toEqual({ staleRead: false });
  });
});
