// Importers: Jepsen/Knossos EDN (with our EDN reader), Porcupine's etcd and kv logs, format detection.
import { describe, expect, it } from 'vitest';
import { checkSync } from '../../src/checker/index.js';
import { readEdn, Keyword, EdnMap, Tagged, EdnSet, type Edn } from '../../src/history/import/edn.js';
import { detectFormat } from '../../src/history/import/detect.js';
import { parseJepsenEdn } from '../../src/history/import/jepsen-edn.js';
import { parsePorcupineEtcd } from '../../src/history/import/porcupine-etcd.js';
import { parsePorcupineKv } from '../../src/history/import/porcupine-kv.js';
import { casRegister } from '../../src/model/cas-register.js';
import { kv } from '../../src/model/kv.js';

function forms(text: string): Edn[] {
  const out: Edn[] = [];
  readEdn(text, (f) => out.push(f));
  return out;
}

describe('EDN reader', () => {
  it('reads the values Jepsen histories use', () => {
    const [v] = forms('[nil true false -12 3.5 1/2 42N "a\\"b\\n" \\x \\newline :ns/kw sym (1 2) #{1} {:a [1 2]} #inst "2020" #_ skipped 7] ; comment');
    expect(Array.isArray(v)).toBe(true);
    const a = v as Edn[];
    expect(a.slice(0, 9)).toEqual([null, true, false, -12, 3.5, 0.5, 42, 'a"b\n', 'x']);
    expect(a[9]).toBe('\n');
    expect((a[10] as Keyword).name).toBe('ns/kw');
    expect(a[12]).toEqual([1, 2]);
    expect(a[13]).toBeInstanceOf(EdnSet);
    expect((a[14] as EdnMap).get('a')).toEqual([1, 2]);
    expect((a[15] as Tagged).tag).toBe('inst');
    expect(a[16]).toBe(7);
  });

  it('reports the line of an error', () => {
    expect(() => forms('{:a 1\n :b')).toThrow(/map literal|never closed/);
    let line = 0;
    try {
      forms('[1\n2\n"abc\\q"]');
    } catch (e) {
      line = (e as { line: number }).line;
    }
    expect(line).toBe(3);
  });
});

describe('Jepsen EDN histories', () => {
  it('a vector of op maps, with fail dropped and info kept, checks as Knossos would', () => {
    const text = `[{:process 0, :type :invoke, :f :write, :value 1, :time 10, :index 0}
 {:process 0, :type :ok, :f :write, :value 1, :time 20}
 {:process :nemesis, :type :info, :f :start, :value "partition"}
 {:process 1, :type :invoke, :f :cas, :value [1 2]}
 {:process 1, :type :fail, :f :cas, :value [1 2]}
 {:process 2, :type :invoke, :f :write, :value 3}
 {:process 2, :type :info, :f :write, :value 3, :error :timeout}
 {:process 3, :type :invoke, :f :read, :value nil}
 {:process 3, :type :ok, :f :read, :value 3}]`;
    const { ops, lines } = parseJepsenEdn(text, 'h.edn');
    expect(ops).toHaveLength(9);
    expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ops[2]).toMatchObject({ process: 'nemesis', type: 'info', f: 'start' });
    expect(ops[3]).toMatchObject({ f: 'cas', value: [1, 2], time: 3 });
    expect(ops[6]).toMatchObject({ type: 'info', error: 'timeout' });
    expect(checkSync(ops, casRegister()).valid).toBe(true);
    // Reading 2 would need the failed cas to have happened: Jepsen drops fails, so it is illegal.
    const bad = parseJepsenEdn(text.replace(':value 3}]', ':value 2}]'), 'h.edn').ops;
    expect(checkSync(bad, casRegister()).valid).toBe(false);
  });

  it('a stream of tagged op maps (newer Jepsen) and independent [key value] tuples', () => {
    const text = `#jepsen.history.Op{:index 0, :time 1, :type :invoke, :process 0, :f :write, :value [:k1 4]}
#jepsen.history.Op{:index 1, :time 2, :type :ok, :process 0, :f :write, :value [:k1 4]}
#jepsen.history.Op{:index 2, :time 3, :type :invoke, :process 1, :f :cas, :value [:k2 [nil 5]]}
#jepsen.history.Op{:index 3, :time 4, :type :ok, :process 1, :f :cas, :value [:k2 [nil 5]]}
#jepsen.history.Op{:index 4, :time 5, :type :invoke, :process 1, :f :read, :value [:k1 nil]}
#jepsen.history.Op{:index 5, :time 6, :type :ok, :process 1, :f :read, :value [:k1 4]}`;
    const { ops } = parseJepsenEdn(text, 'h.edn');
    expect(ops.map((o) => o.key)).toEqual(['k1', 'k1', 'k2', 'k2', 'k1', 'k1']);
    expect(ops[3].value).toEqual([null, 5]);
    const r = checkSync(ops, casRegister());
    expect(r.valid).toBe(true);
    expect(r.partitions.map((p) => p.key)).toEqual(['k1', 'k2']);
  });

  it('rejects non-op forms with their line', () => {
    expect(() => parseJepsenEdn('{:process 0, :type :invoke, :f :read}\n[1 2]\n', 'x.edn')).toThrow(/x\.edn:2: /);
    expect(() => parseJepsenEdn('{:process 0, :type :invoke, :f :read}\n{:process "a", :type :ok, :f :read}\n', 'x.edn')).toThrow(/x\.edn:2: :process must be/);
  });
});

describe('Porcupine logs', () => {
  it('etcd: :fail :cas is an observed failed cas; timed-out ops have unknown outcomes', () => {
    const log = [
      'INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]',
      'INFO  jepsen.util - 1\t:fail\t:cas\t[1 2]',
      'INFO  jepsen.util - 2   :invoke :read  nil',
      'INFO  jepsen.util - 2   :fail   :read  :timed-out',
      'INFO  jepsen.util - 3\t:invoke\t:write\t4',
      'INFO  jepsen.util - 3\t:info\t:write\t:timed-out',
      '',
    ].join('\n');
    const { ops, lines } = parsePorcupineEtcd(log, 'e.log');
    expect(ops[1]).toMatchObject({ type: 'ok', f: 'cas', value: [1, 2], succeeded: false });
    expect(ops[3]).toMatchObject({ type: 'info', f: 'read', error: 'timed-out' });
    expect(ops[5]).toMatchObject({ type: 'info', f: 'write' });
    expect(lines).toEqual([1, 2, 3, 4, 5, 6]);
    expect(checkSync(ops, casRegister()).valid).toBe(true);
    // A failed cas [nil 2] cannot fail on a register that holds nil.
    const bad = parsePorcupineEtcd('INFO jepsen.util - 1 :invoke :cas [0 2]\nINFO jepsen.util - 1 :fail :cas [0 2]\n', 'e.log').ops;
    expect(checkSync(bad, casRegister({ initial: 0 })).valid).toBe(false);
  });

  it('etcd: lines in the files\' own shape and oddly spaced ones read alike; a value of the wrong shape is named', () => {
    const tidy = parsePorcupineEtcd('INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]\nINFO  jepsen.util - 3\t:ok\t:cas\t[-1 2]\nINFO  jepsen.util - 4\t:invoke\t:read\tnil\n', 'a.log');
    const odd = parsePorcupineEtcd('INFO jepsen.util - 3 :invoke :cas [ 1  2 ]\r\n\n   \nINFO jepsen.util - 3 :ok :cas [-1\t2]  \nINFO  jepsen.util  -  4  :invoke  :read  nil', 'b.log');
    expect(odd.ops).toEqual(tidy.ops);
    expect(odd.lines).toEqual([1, 4, 5]);
    expect(() => parsePorcupineEtcd('INFO jepsen.util - 1 :invoke :cas nil\n', 'c.log')).toThrow(/c\.log:1: cas value must be \[FROM TO\], got "nil"/);
    expect(() => parsePorcupineEtcd('INFO jepsen.util - 1 :invoke :write 3\nINFO jepsen.util - 1 :ok :read [1 2]\n', 'c.log')).toThrow(/c\.log:2: read value must be nil or an integer/);
    expect(() => parsePorcupineEtcd('INFO jepsen.util - 1 :ok :read :timed-out\n', 'c.log')).toThrow(/c\.log:1: :ok :read cannot be :timed-out/);
    // The value is quoted as written, whichever path read the line.
    expect(() => parsePorcupineEtcd('INFO  jepsen.util - 1\t:invoke\t:cas\t007\r\n', 'c.log')).toThrow(/c\.log:1: cas value must be \[FROM TO\], got "007"/);
    expect(() => parsePorcupineEtcd('INFO  jepsen.util - 1\t:invoke\t:read\t[007 2]\n', 'c.log')).toThrow(/c\.log:1: read value must be nil or an integer, got "\[007 2\]"/);
    expect(parsePorcupineEtcd('INFO  jepsen.util - 1\t:invoke\t:write\t007\r\nINFO  jepsen.util - 1\t:ok\t:write\t007\r\n', 'd.log').ops.map((o) => o.value)).toEqual([7, 7]);
  });

  it('kv: get/put/append op maps with string values', () => {
    const { ops } = parsePorcupineKv('{:process 0, :type :invoke, :f :append, :key "1", :value "x 0 0 y"}\n{:process 0, :type :ok, :f :append, :key "1", :value "x 0 0 y"}\n{:process 1, :type :invoke, :f :get, :key "1", :value nil}\n{:process 1, :type :ok, :f :get, :key "1", :value "x 0 0 y"}\n', 'k.txt');
    expect(ops[3]).toMatchObject({ key: '1', value: 'x 0 0 y', f: 'get' });
    expect(checkSync(ops, kv()).valid).toBe(true);
  });

  it('detection by content', () => {
    expect(detectFormat('INFO  jepsen.util - 1\t:invoke\t:write\t3\n')).toBe('porcupine-etcd');
    expect(detectFormat('{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}\n')).toBe('porcupine-kv');
    expect(detectFormat('\n{"index":0,"time":1,"process":0,"type":"invoke","f":"read"}\n')).toBe('jsonl');
    expect(detectFormat('[{:process 0 :type :invoke :f :read :value nil}')).toBe('edn');
    expect(detectFormat('{:type :invoke, :f :read, :process 0}')).toBe('edn');
    expect(detectFormat('  \n\t')).toBe('empty');
    expect(detectFormat('hello')).toBeUndefined();
  });
});
