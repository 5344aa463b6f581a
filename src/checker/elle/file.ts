// The entry points `faultline check --model list-append|set-full|watch` calls: load a file, check it, say so.
import { loadHistory } from '../../history/import/load.js';
import type { Format } from '../../history/import/detect.js';
import type { Verdict } from '../result.js';
import type { Consistency } from './consistency.js';
import { describeTxn } from './explain.js';
import { checkListAppend, type Anomaly, type ListAppendResult } from './list-append.js';
import { checkSetFull, type SetFullResult } from './set-full.js';
import { checkWatch, type WatchResult } from './watch.js';

export interface TxnFileOptions {
  consistency?: Consistency;
  format?: Format | 'auto';
  cycleBudget?: number;
}

export interface TxnFileResult {
  valid: Verdict;
  anomalies: Anomaly[];
  /** The verdict line, then every listed anomaly's explanation: what `check` prints. */
  text: string;
  result: ListAppendResult;
}

const VERDICT = { true: 'valid', false: 'INVALID', unknown: 'UNKNOWN' } as const;

/** Checks a list-append history file (JSONL or Jepsen EDN) against `opts.consistency`. */
export async function checkTxnFile(path: string, opts: TxnFileOptions = {}): Promise<TxnFileResult> {
  const loaded = await loadHistory(path, opts.format ?? 'auto', path);
  const result = checkListAppend(loaded.ops, { consistency: opts.consistency, cycleBudget: opts.cycleBudget, where: (i) => `${path}:${loaded.lines[i]}` });
  return { valid: result.valid, anomalies: result.anomalies, text: listAppendText(path, result), result };
}

export function listAppendText(file: string, r: ListAppendResult): string {
  const found = Object.entries(r.counts).map(([t, n]) => `${t} ×${n}`);
  let head = `${file}: ${VERDICT[String(r.valid) as keyof typeof VERDICT]} for ${r.consistency} (${r.txns} txns, ${r.edges} edges, ${r.ms.toFixed(1)} ms; list-append)`;
  if (found.length > 0) head += `: ${found.join(', ')}; rules out ${r.ruledOut.join(', ')}`;
  if (r.unknownReason) head += `: ${r.unknownReason}`;
  if (r.truncated) head += ' [cycle search truncated: the cycles listed are those found so far]';
  return [head, ...r.anomalies.map((a) => indent(a.explanation))].join('\n');
}

export interface SetFileResult {
  valid: Verdict;
  text: string;
  result: SetFullResult;
}

/** Checks a set-full history file (adds and reads, see set-full.ts). */
export async function checkSetFile(path: string, format: Format | 'auto' = 'auto'): Promise<SetFileResult> {
  const loaded = await loadHistory(path, format, path);
  const result = checkSetFull(loaded.ops);
  return { valid: result.valid, text: setFullText(path, result), result };
}

export function setFullText(file: string, result: SetFullResult): string {
  const c = result.counts;
  const head = `${file}: ${VERDICT[String(result.valid) as keyof typeof VERDICT]} (set-full: ${c.ok} ok, ${c.lost} lost, ${c.unexpected} unexpected, ${c.duplicated} duplicated, ${c.stale} stale, ${c.recovered} recovered, ${c['never-read']} never read; ${result.ms.toFixed(1)} ms)`;
  return [head, ...result.problems.map((p) => indent(p.explanation))].join('\n');
}

export interface WatchFileResult {
  valid: Verdict;
  text: string;
  result: WatchResult;
}

/** Checks a watch history file (puts with revisions plus watch streams, see watch.ts). */
export async function checkWatchFile(path: string, format: Format | 'auto' = 'auto'): Promise<WatchFileResult> {
  const loaded = await loadHistory(path, format, path);
  const result = checkWatch(loaded.ops, { where: (i) => `${path}:${loaded.lines[i]}` });
  return { valid: result.valid, text: watchText(path, result), result };
}

export function watchText(file: string, result: WatchResult): string {
  const found = Object.entries(result.counts).map(([t, n]) => `${t} ×${n}`);
  const head = `${file}: ${VERDICT[String(result.valid) as keyof typeof VERDICT]} (watch: ${result.watchers} watchers, ${result.events} events${found.length ? `; broken: ${found.join(', ')}` : ''})`;
  return [head, ...result.violations.map((v) => indent(v.explanation))].join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}

