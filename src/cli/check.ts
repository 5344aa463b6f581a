// `faultline check FILE...`: is each history linearizable? A thin layer over the checker library.
import { writeFile } from 'node:fs/promises';
import { check, closeWorkers, type CheckResult } from '../checker/index.js';
import { FORMATS, type Format } from '../history/import/detect.js';
import { loadHistory, type Loaded } from '../history/import/load.js';
import type { Op } from '../history/op.js';
import type { ModelSpec } from '../model/model.js';
import { createModel, MODEL_NAMES } from '../model/registry.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { EXIT, FaultlineError, usageError } from '../util/errors.js';
import type { Command } from './command.js';

const OPTIONS = {
  model: { type: 'string' },
  initial: { type: 'string' },
  'no-partition': { type: 'boolean' },
  format: { type: 'string' },
  timeout: { type: 'string' },
  'max-memory': { type: 'string' },
  evidence: { type: 'string' },
  'evidence-all': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const command: Command = {
  summary: 'check histories for linearizability (JSONL, Jepsen EDN, Porcupine logs)',
  usage: `usage: faultline check FILE... [options]

Checks each history for linearizability and prints one line per file.

options:
  --model M          register | cas-register | kv (default: inferred from the history)
  --initial V        initial register value, JSON or a bare string (default: null; kv: "")
  --no-partition     check all keys as one map-valued state instead of one partition per key
  --format F         auto | ${FORMATS.join(' | ')} (default: auto)
  --timeout S        give up after S seconds per file (verdict unknown)
  --max-memory MB    memory budget for the search (default: min(4096, half of RAM)); exceeding it
                     ends in unknown, never in a crash
  --evidence FILE    write the evidence (linearizations, where each search got stuck) as JSON
  --evidence-all     search every partition even after one is found not linearizable
  --json             one JSON object per line per file instead of text

exit: 0 all linearizable, 1 any not, 2 any unknown (none not), 3 bad input or usage`,

  async run(argv) {
    const { values, positionals } = parseOptions('check', argv, OPTIONS);
    if (positionals.length === 0) throw usageError('faultline check: no history file given (see: faultline check --help)');
    const format = (values.format ?? 'auto') as Format | 'auto';
    if (format !== 'auto' && !FORMATS.includes(format)) throw usageError(`faultline check: --format must be auto or one of ${FORMATS.join(', ')}, got "${values.format}"`);
    if (values.model !== undefined && !MODEL_NAMES.includes(values.model)) throw usageError(`faultline check: --model must be one of ${MODEL_NAMES.join(', ')}, got "${values.model}"`);
    const timeout = parseNumber('check', 'timeout', values.timeout);
    const maxMemory = parseNumber('check', 'max-memory', values['max-memory'], 16);
    const json = values.json === true;

    let invalid = false;
    let unknown = false;
    let badInput = false;
    const evidence: object[] = [];
    try {
      for (const file of positionals) {
        try {
          const loaded = await loadHistory(file, format, file);
          const spec = modelFor(loaded, values.model, values.initial, values['no-partition'] === true);
          const result = await check(loaded.ops, createModel(spec), {
            timeoutMs: timeout === undefined ? undefined : timeout * 1000,
            maxMemoryMb: maxMemory,
            allPartitions: values['evidence-all'] === true,
            // --json lines carry no evidence: skip the up-to-2 s search for a deeper prefix of an illegal partition.
            evidence: values.evidence !== undefined ? 'full' : json ? 'none' : 'failures',
            where: (i) => `${file}:${loaded.lines[i]}`,
          });
          invalid ||= result.valid === false;
          unknown ||= result.valid === 'unknown';
          process.stdout.write((json ? jsonLine(file, loaded, result) : textLine(file, loaded, result)) + '\n');
          if (values.evidence !== undefined) evidence.push({ file, format: loaded.format, ...result });
        } catch (e) {
          if (!(e instanceof FaultlineError) || e.code !== EXIT.usage) throw e;
          badInput = true;
          process.stderr.write(e.message + '\n');
          if (json) process.stdout.write(JSON.stringify({ file, error: e.message }) + '\n');
        }
      }
    } finally {
      await closeWorkers();
    }
    if (values.evidence !== undefined) await writeFile(values.evidence, JSON.stringify({ version: 1, files: evidence }) + '\n');
    if (badInput) return EXIT.usage;
    if (invalid) return EXIT.invalid;
    if (unknown) return EXIT.unknown;
    return EXIT.valid;
  },
};

/**
 * The model a history gets when --model is absent: Porcupine's etcd logs are a cas register starting
 * at nil, its kv logs the kv model; otherwise the ops decide (any cas: cas-register; get/put/append: kv).
 */
function modelFor(loaded: Loaded, name: string | undefined, initial: string | undefined, noPartition: boolean): ModelSpec {
  const chosen = name ?? (loaded.format === 'porcupine-etcd' ? 'cas-register' : loaded.format === 'porcupine-kv' ? 'kv' : inferModel(loaded.ops));
  const spec: ModelSpec = { name: chosen };
  if (initial !== undefined) spec.initial = parseInitial(initial);
  if (noPartition) spec.partition = false;
  return spec;
}

export function inferModel(ops: readonly Op[]): string {
  let kv = false;
  for (const op of ops) {
    if (op.process === 'nemesis') continue;
    if (op.f === 'cas') return 'cas-register';
    if (op.f === 'get' || op.f === 'put' || op.f === 'append') kv = true;
  }
  return kv ? 'kv' : 'register';
}

function parseInitial(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // a bare word: `--initial abc` means the string "abc"
  }
}

const VERDICT = { true: 'linearizable', false: 'NOT linearizable', unknown: 'UNKNOWN' } as const;

function textLine(file: string, loaded: Loaded, r: CheckResult): string {
  const parts = r.partitions.length;
  let line = `${file}: ${VERDICT[String(r.valid) as keyof typeof VERDICT]} (${r.ops} ops, ${parts} partition${parts === 1 ? '' : 's'}, ${r.ms.toFixed(1)} ms; ${r.model}, ${loaded.format})`;
  const bad = r.partitions.find((p) => p.valid === false);
  if (bad) line += `: ${bad.key === null ? 'the history' : `key ${JSON.stringify(bad.key)}`} cannot be linearized past ${bad.linearized?.length ?? 0} of ${bad.ops} ops`;
  else if (r.valid === 'unknown') {
    const reasons = [...new Set(r.partitions.filter((p) => p.valid === 'unknown').map((p) => p.reason))];
    line += `: gave up (${reasons.join(', ')})`;
  }
  return line;
}

function jsonLine(file: string, loaded: Loaded, r: CheckResult): string {
  const out: Record<string, unknown> = { file, valid: r.valid, ops: r.ops, partitions: r.partitions.length, ms: Math.round(r.ms * 1000) / 1000, model: r.model, format: loaded.format };
  if (r.valid === 'unknown') out.reasons = [...new Set(r.partitions.filter((p) => p.valid === 'unknown').map((p) => p.reason))];
  return JSON.stringify(out);
}
