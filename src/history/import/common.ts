// What every importer returns, and the one way they report a bad line.
import { FaultlineError, EXIT } from '../../util/errors.js';
import type { Op } from '../op.js';

/** Ops in history order, with the 1-based source line of each (for `FILE:LINE` messages later). */
export interface Imported {
  ops: Op[];
  lines: number[];
  /** Ops the importer left out: those of named processes other than the nemesis (Jepsen EDN). */
  dropped?: number;
}

export function badLine(file: string, line: number, what: string): FaultlineError {
  return new FaultlineError(`${file}:${line}: ${what}`, EXIT.usage);
}

/** Splits text into lines, numbering from 1; a final newline does not make an extra empty line. */
export function eachLine(text: string, fn: (line: string, n: number) => void): void {
  let start = 0;
  let n = 1;
  while (start < text.length) {
    const { line, next } = lineAt(text, start);
    fn(line, n);
    start = next;
    n++;
  }
}

/** The line starting at `start`, without its `\n` or `\r\n`, and where the next one starts. */
export function lineAt(text: string, start: number): { line: string; next: number } {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return { line: text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end), next: end + 1 };
}
