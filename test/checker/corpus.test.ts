// Every file of the Porcupine corpus gets the verdict its MANIFEST records, with default settings.
import { describe, expect, it } from 'vitest';
import { check, checkSync } from '../../src/checker/index.js';
import { loadHistory } from '../../src/history/import/load.js';
import { createModel } from '../../src/model/registry.js';
import { CORPUS, expectations } from './corpus.js';

const all = expectations();

describe('porcupine corpus', () => {
  it('the MANIFEST lists 103 jepsen logs (23 linearizable) and 6 kv logs', () => {
    const jepsen = all.filter((e) => e.file.startsWith('jepsen/'));
    expect(jepsen).toHaveLength(103);
    // etcd_095 is empty: counted as linearizable here, so 23 + 1.
    expect(jepsen.filter((e) => e.linearizable)).toHaveLength(24);
    expect(all.filter((e) => e.file.startsWith('kv/'))).toHaveLength(6);
  });

  it('jepsen etcd logs: 23 linearizable, 79 not, etcd_095 empty (cas-register, initial nil)', async () => {
    const wrong: string[] = [];
    for (const e of all.filter((x) => x.file.startsWith('jepsen/'))) {
      const h = await loadHistory(CORPUS + e.file);
      expect(h.format).toBe(e.file.endsWith('095.log') ? 'empty' : 'porcupine-etcd');
      const r = checkSync(h.ops, createModel({ name: 'cas-register' }));
      if (r.valid !== e.linearizable) wrong.push(`${e.file}: got ${r.valid}`);
      if (e.file.endsWith('095.log')) expect(r.ops).toBe(0);
    }
    expect(wrong).toEqual([]);
  });

  it('jepsen etcd logs in each search order, and both racing from the start: the same verdicts', async () => {
    const wrong: string[] = [];
    let raced = 0;
    for (const e of all.filter((x) => x.file.startsWith('jepsen/') && !x.file.endsWith('095.log'))) {
      const h = await loadHistory(CORPUS + e.file);
      for (const how of [{ order: 'call-order' as const }, { raceAfterMs: 0 }]) {
        const r = checkSync(h.ops, createModel({ name: 'cas-register' }), how);
        if (r.valid !== e.linearizable) wrong.push(`${e.file} ${JSON.stringify(how)}: got ${r.valid}`);
        raced += r.partitions.filter((p) => p.order !== undefined).length;
      }
    }
    expect(wrong).toEqual([]);
    // Racing from the start names the order that decided each partition.
    expect(raced).toBe(102);
  });

  it('kv logs, partitioned by key (worker pool path)', async () => {
    for (const e of all.filter((x) => x.file.startsWith('kv/'))) {
      const h = await loadHistory(CORPUS + e.file);
      expect(h.format).toBe('porcupine-kv');
      const r = await check(h.ops, createModel({ name: 'kv' }), { workers: 2 });
      expect(r.valid, e.file).toBe(e.linearizable);
    }
  });

  it('kv c01 and c10 unpartitioned (one map-valued state)', async () => {
    const files = all.filter((x) => x.unpartitioned !== undefined);
    expect(files.map((f) => f.file).sort()).toEqual(['kv/c01-bad.txt', 'kv/c01-ok.txt', 'kv/c10-bad.txt', 'kv/c10-ok.txt']);
    for (const e of files) {
      const h = await loadHistory(CORPUS + e.file);
      const r = checkSync(h.ops, createModel({ name: 'kv', partition: false }));
      expect(r.partitions, e.file).toHaveLength(1);
      expect(r.valid, e.file).toBe(e.unpartitioned);
    }
  });

  it('kv c50-bad: every key decided, with evidence, when asked for all partitions', async () => {
    const h = await loadHistory(CORPUS + 'kv/c50-bad.txt');
    const r = await check(h.ops, createModel({ name: 'kv' }), { allPartitions: true, timeoutMs: 30_000 });
    expect(r.valid).toBe(false);
    expect(r.partitions).toHaveLength(10);
    for (const p of r.partitions) {
      expect(p.valid, `key ${p.key}`).not.toBe('unknown');
      if (p.valid === false) expect(p.stuck?.candidates.length).toBeGreaterThan(0);
    }
  });
});
