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
export async function* streamHistory(path: string, file = path): AsyncGenerator<{ ops: Op[]; lines: number[] }> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let line = 0;
  let position = 0;
  const parse = (text: string, ops: Op[], lines: number[]): void => {
    line++;
    // Blank lines are allowed; the common case (a line starting with "{") skips the trim.
    if (text.length === 0 || (text.charCodeAt(0) !== 123 && text.trim() === '')) return;
    ops.push(parseHistoryLine(text, file, line, position++));
    lines.push(line);
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    const ops: Op[] = [];
    const lines: number[] = [];
    let start = 0;
    const text = rest + chunk;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      parse(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl), ops, lines);
      start = nl + 1;
    }
    rest = text.slice(start);
    if (ops.length > 0) yield { ops, lines };
  }
  if (rest.length > 0) {
    const ops: Op[] = [];
    const lines: number[] = [];
    parse(rest, ops, lines);
    if (ops.length > 0) yield { ops, lines };
  }
}

/** Reads a whole JSONL history into memory, with the source line of each op. */
export async function readHistory(path: string, file = path): Promise<Imported> {
  const ops: Op[] = [];
  const lines: number[] = [];
  for await (const batch of streamHistory(path, file)) {
    for (const op of batch.ops) ops.push(op);
    for (const l of batch.lines) lines.push(l);
  }
  return { ops, lines };
}
