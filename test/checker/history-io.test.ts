// The JSONL history reader (validation, line numbers, streaming) and the buffered appending writer.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHistory, streamHistory } from '../../src/history/reader.js';
import { HistoryWriter } from '../../src/history/writer.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-history-'));

describe('HistoryWriter', () => {
  it('assigns dense indices, flushes on demand and on close, continues an existing file', async () => {
    const path = join(dir, 'h.jsonl');
    const w = await HistoryWriter.open(path);
    expect(w.append({ time: 5, process: 0, type: 'invoke', f: 'write', value: 1 }).index).toBe(0);
    w.append({ time: 6, process: 0, type: 'ok', f: 'write', value: 1 });
    await w.flush();
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).index)).toEqual([0, 1]);
    w.append({ time: 7, process: 'nemesis', type: 'info', f: 'start-partition', value: { n1: ['n2'] } });
    await w.close();
    expect(() => w.append({ time: 8, process: 0, type: 'invoke', f: 'read' })).toThrow(/after close/);
    const again = await HistoryWriter.open(path, { fsync: true });
    expect(again.append({ time: 9, process: 1, type: 'invoke', f: 'read', value: null }).index).toBe(3);
    await again.close();
    const { ops } = await readHistory(path);
    expect(ops.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    expect(ops[2]).toMatchObject({ process: 'nemesis', f: 'start-partition' });
  });

  it('flushes by itself within 200 ms, so a killed harness leaves a valid prefix', async () => {
    const path = join(dir, 'timer.jsonl');
    const w = await HistoryWriter.open(path);
    w.append({ time: 1, process: 0, type: 'invoke', f: 'read', value: null });
    await new Promise((r) => setTimeout(r, 400));
    expect(readFileSync(path, 'utf8')).toMatch(/"invoke"/);
    await w.close();
  });

  it('refuses an out-of-order explicit index', async () => {
    const w = await HistoryWriter.open(join(dir, 'order.jsonl'));
    expect(() => w.append({ index: 4, time: 1, process: 0, type: 'invoke', f: 'read' })).toThrow(/out of order/);
    await w.close();
  });
});

describe('history reader', () => {
  it('streams large files in batches with line numbers, skipping blank lines', async () => {
    const path = join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(JSON.stringify({ process: i % 5, type: i % 2 ? 'ok' : 'invoke', f: 'write', value: i }));
    lines.splice(10, 0, '');
    writeFileSync(path, lines.join('\r\n') + '\n');
    let batches = 0;
    let count = 0;
    for await (const b of streamHistory(path)) {
      batches++;
      count += b.ops.length;
    }
    expect(count).toBe(50_000);
    expect(batches).toBeGreaterThan(1);
    const { ops, lines: at } = await readHistory(path);
    expect(ops[10].index).toBe(10);
    expect(at[10]).toBe(12);
  });

  it('names file and line of the first bad field', async () => {
    const bad = async (text: string): Promise<string> => {
      const p = join(dir, 'bad.jsonl');
      writeFileSync(p, text);
      return readHistory(p).then(
        () => 'no error',
        (e: Error) => e.message,
      );
    };
    const ok = '{"process":0,"type":"invoke","f":"read"}\n';
    expect(await bad(ok + '[1]\n')).toMatch(/bad\.jsonl:2: expected a JSON object/);
    expect(await bad(ok + '{"process":-1,"type":"ok","f":"read"}\n')).toMatch(/:2: "process" must be/);
    expect(await bad(ok + '{"index":5,"process":0,"type":"ok","f":"read"}\n')).toMatch(/:2: "index" is 5 but this is op 1/);
    expect(await bad(ok + '{"process":0,"type":"ok","f":"read","key":3}\n')).toMatch(/:2: "key" must be a string/);
    expect(await bad(ok + '{"process":0,"type":"ok","f":"read","succeeded":true}\n')).toMatch(/only for cas/);
    expect(await bad(ok + '{"process":0,"type":"ok"')).toMatch(/:2: not valid JSON/);
  });
});
