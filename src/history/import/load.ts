// Loads a history file in any supported format (auto-detected unless forced) as our Op[].
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { FaultlineError, EXIT } from '../../util/errors.js';
import type { Imported } from './common.js';
import { detectFormat, FORMATS, type Format } from './detect.js';

export interface Loaded extends Imported {
  /** The format used ('empty' for a file with no ops). */
  format: Format | 'empty';
}

type Parser = (text: string, file: string) => Imported;

/** One line per text format, loaded on first use (a `check` of etcd logs never loads the EDN reader). */
const PARSERS: Record<Exclude<Format, 'jsonl'>, () => Promise<Parser>> = {
  edn: async () => (await import('./jepsen-edn.js')).parseJepsenEdn,
  'porcupine-etcd': async () => (await import('./porcupine-etcd.js')).parsePorcupineEtcd,
  'porcupine-kv': async () => (await import('./porcupine-kv.js')).parsePorcupineKv,
};

export async function loadHistory(path: string, format: Format | 'auto' = 'auto', file = path): Promise<Loaded> {
  if (format !== 'auto' && !FORMATS.includes(format)) throw new FaultlineError(`unknown format "${format}" (known: auto, ${FORMATS.join(', ')})`, EXIT.usage);
  let head: string;
  try {
    head = readHead(path);
  } catch (e) {
    throw new FaultlineError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, EXIT.usage);
  }
  // A head of nothing but whitespace is an empty history only if it is the whole file.
  const detected = detectFormat(head.length < HEAD_BYTES ? head : head + 'x');
  if (detected === 'empty') return { ops: [], lines: [], format: 'empty' };
  const chosen = format === 'auto' ? detected : format;
  if (chosen === undefined) throw new FaultlineError(`${file}:1: cannot tell the history format (force one with --format ${FORMATS.join('|')})`, EXIT.usage);
  // JSONL is streamed (it can be large); the text formats are small, and a synchronous read is cheapest.
  if (chosen === 'jsonl') return { ...(await (await import('../reader.js')).readHistory(path, file)), format: chosen };
  const parse = await PARSERS[chosen]();
  return { ...parse(readFileSync(path, 'utf8'), file), format: chosen };
}

const HEAD_BYTES = 8192;

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
