// Streams a history.jsonl file line by line, validating each; errors read `FILE:LINE: what is wrong`.
import { createReadStream } from 'node:fs';
import { FaultlineError, EXIT } from '../util/errors.js';
import type { Imported } from './import/common.js';
import type { Op } from './op.js';
import { validateOp } from './validate.js';

/** Parses one line; `position` is the op's 0-based place among the file's ops. */
export function parseHistoryLine(text: string, file: string, line: number, position: number): Op {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FaultlineError(`${file}:${line}: not valid JSON (${(e as Error).message})`, EXIT.usage);
  }
  const op = validateOp(v, position);
  if (typeof op === 'string') throw new FaultlineError(`${file}:${line}: ${op}`, EXIT.usage);
  return op;
}

/**
 * Yields the ops of a JSONL history in batches as the file is read (blank lines are skipped). Memory
 * stays bounded by one chunk, so a history of millions of ops can be streamed into a consumer.
 */
export async function* streamHistory(path: string, file = path): AsyncGenerator<Imported> {
  const at = { line: 0, position: 0 };
  for await (const block of blocks(path)) {
    const batch: Imported = { ops: [], lines: [] };
    parseBlock(block, file, at, batch);
    if (batch.ops.length > 0) yield batch;
  }
}

/** Reads a whole JSONL history into memory, with the source line of each op. */
export async function readHistory(path: string, file = path): Promise<Imported> {
  const at = { line: 0, position: 0 };
  const out: Imported = { ops: [], lines: [] };
  for await (const block of blocks(path)) parseBlock(block, file, at, out);
  return out;
}

/**
 * The file as text blocks of whole lines (no final newline). Bytes are cut at newline bytes, which never
 * occur inside a UTF-8 sequence, so each block decodes on its own: cheaper than a streaming decoder.
 */
async function* blocks(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let carry: Buffer | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      carry = buf;
      continue;
    }
    carry = last + 1 < buf.length ? buf.subarray(last + 1) : null;
    yield buf.toString('utf8', 0, last);
  }
  if (carry) yield carry.toString('utf8');
}

function parseBlock(text: string, file: string, at: { line: number; position: number }, out: Imported): void {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    let end = nl < 0 ? text.length : nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    at.line++;
    // Blank lines are allowed; the common case (a line starting with "{") skips the trim.
    if (end > start && (text.charCodeAt(start) === 123 || text.slice(start, end).trim() !== '')) {
      out.ops.push(parseHistoryLine(text.slice(start, end), file, at.line, at.position++));
      out.lines.push(at.line);
    }
    if (nl < 0) return;
    start = nl + 1;
  }
}
