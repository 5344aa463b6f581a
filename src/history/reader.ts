// Reads JSONL files: a history streamed line by line or a stored run's files whole, validating each op; errors read `FILE:LINE: what is wrong`.
import { createReadStream, readFileSync } from 'node:fs';
import { FaultlineError, EXIT, usageError } from '../util/errors.js';
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

/**
 * Reads a whole JSON-lines file of a stored run (history, events, metrics) at once. A last line without its
 * newline that does not parse is what a killed writer leaves: dropped and noted in `problems`. A bad line
 * anywhere else is corruption: a usage error naming file and line. `check` turns a parsed line into a record
 * or says what is wrong with it (position = the record's 0-based place in the file).
 */
export function readJsonLines<T>(path: string, problems: string[], check?: (v: unknown, position: number) => T | string): T[] {
  const text = readFileSync(path, 'utf8');
  const out: T[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    const last = nl === -1;
    if (last) nl = text.length;
    lineNo++;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      if (last) {
        problems.push(`${path}: last line ${lineNo} is truncated (harness stopped mid-write); ignored`);
      } else {
        throw usageError(`${path}:${lineNo}: not a JSON line; fix or remove that line and run again`);
      }
      continue;
    }
    const r = check ? check(v, out.length) : (v as T);
    if (typeof r === 'string') throw usageError(`${path}:${lineNo}: ${r}`);
    out.push(r);
  }
  return out;
}

/** A stored run's history.jsonl, every op validated as `check` does (a killed harness's last line is dropped and noted). */
export function readHistoryFile(path: string, problems: string[]): Op[] {
  return readJsonLines<Op>(path, problems, validateOp);
}
