// `faultline check FILE...`: is each history linearizable (or, for txn/set/watch histories, Elle-consistent)?
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { CheckSession, closeWorkers, type CheckResult } from '../checker/index.js';
import { deferOptimization, optimizeNow } from '../checker/tier-up.js';
import { CONSISTENCY_MODELS, isConsistency, type Consistency } from '../checker/elle/consistency.js';
import { ELLE_MODELS, isElleModel } from '../checker/elle/models.js';
import type { ElleOutcome } from '../checker/elle/run.js';
import { FORMATS, type Format } from '../history/import/detect.js';
import { loadHistory, type Loaded } from '../history/import/load.js';
import { NEMESIS, type Op } from '../history/op.js';
import type { ModelSpec, NilRead } from '../model/model.js';
import { createModel, MODEL_NAMES } from '../model/registry.js';
import { parseNumber, parseOptions, parseCheckerTimeout } from '../util/args.js';
import { EXIT, FaultlineError, usageError } from '../util/errors.js';
import type { Command } from './command.js';

const OPTIONS = {
  model: { type: 'string' },
  consistency: { type: 'string' },
  initial: { type: 'string' },
  'nil-read': { type: 'string' },
  'no-partition': { type: 'boolean' },
  format: { type: 'string' },
  timeout: { type: 'string' },
  'max-memory': { type: 'string' },
  evidence: { type: 'string' },
  'evidence-all': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const NIL_READS: readonly NilRead[] = ['any', 'absent'];

/** An Elle history of this many ops ends the deferral: its checkers' loops then run long enough to pay. */
const ELLE_OPTIMIZE_FROM = 10_000;

/** Inputs below this many bytes in all are checked with V8's optimization deferred. */
const DEFER_BELOW_BYTES = 16 * 1024 * 1024;

/** The files' total size; one that cannot be read counts 0 (loading it reports why). */
function inputBytes(files: readonly string[]): number {
  let n = 0;
  for (const f of files) {
    try {
      n += statSync(f).size;
    } catch {
      // Reported, with the file's name, when it is loaded.
    }
  }
  return n;
}

/** Files loaded ahead of the one being printed: enough to keep both cores busy, few enough to bound memory. */
const AHEAD = 4;

export const command: Command = {
  summary: 'check histories for linearizability or Elle consistency (JSONL, Jepsen EDN, Porcupine logs)',
  usage: `usage: faultline check FILE... [options]

Checks each history for linearizability and prints one line per file, in the order given; several
files are checked at once, on every core.

options:
  --model M          ${MODEL_NAMES.join(' | ')}
                     or a transactional checker: ${ELLE_MODELS.join(' | ')}
                     (default: inferred from the ops: txn with append micro-ops → list-append,
                     other txn → multi-register, watch → watch, cas → cas-register,
                     get/put/append → kv, acquire/release → mutex, add → set, else register;
                     a queue needs --model fifo-queue or unordered-queue; set-full needs --model)
  --consistency C    list-append: the model the history must satisfy, ${CONSISTENCY_MODELS.join(' | ')}
                     (default strict-serializable); the output lists which models each anomaly rules out
  --initial V        initial value, JSON or a bare string (default: null; kv: ""; set, queues: [])
  --nil-read R       any | absent: a read that completed with nil/null is legal in every state (any:
                     Knossos's rule, the default for EDN) or read the absent value (absent: the
                     default for JSONL and Porcupine logs)
  --no-partition     check all keys as one map-valued state instead of one partition per key
  --format F         auto | ${FORMATS.join(' | ')} (default: auto)
  --timeout S        give up after S seconds per file (verdict unknown)
  --max-memory MB    memory budget for all searches together (default: min(4096, half of RAM));
                     exceeding it ends in unknown, never in a crash
  --evidence FILE    write the evidence (linearizations, where each search got stuck) as JSON
  --evidence-all     search every partition even after one is found not linearizable
  --json             one JSON object per line per file instead of text

exit: 0 all valid, 1 any not, 2 any unknown (none not), 3 bad input or usage`,

  async run(argv) {
    const { values, positionals } = parseOptions('check', argv, OPTIONS);
    if (positionals.length === 0) throw usageError('faultline check: no history file given (see: faultline check --help)');
    const format = (values.format ?? 'auto') as Format | 'auto';
    if (format !== 'auto' && !FORMATS.includes(format)) throw usageError(`faultline check: --format must be auto or one of ${FORMATS.join(', ')}, got "${values.format}"`);
    if (values.model !== undefined && !MODEL_NAMES.includes(values.model) && !isElleModel(values.model)) throw usageError(`faultline check: --model must be one of ${[...MODEL_NAMES, ...ELLE_MODELS].join(', ')}, got "${values.model}"`);
    if (values.consistency !== undefined && !isConsistency(values.consistency)) throw usageError(`faultline check: --consistency must be one of ${CONSISTENCY_MODELS.join(', ')}, got "${values.consistency}"`);
    const consistency = values.consistency as Consistency | undefined;
    const nilRead = values['nil-read'] as NilRead | undefined;
    if (nilRead !== undefined && !NIL_READS.includes(nilRead)) throw usageError(`faultline check: --nil-read must be any or absent, got "${values['nil-read']}"`);
    const timeout = parseCheckerTimeout('check', values.timeout);
    const maxMemory = parseNumber('check', 'max-memory', values['max-memory'], 16);
    const json = values.json === true;
    // Small inputs make short checks, which run best unoptimized (tier-up.ts); a large history's reading and
    // set-up are long loops that want optimized code from the start (a 1M-op file ran 4% slower deferred).
    if (inputBytes(positionals) < DEFER_BELOW_BYTES) deferOptimization();
    const session = new CheckSession({ maxMemoryMb: maxMemory, histories: positionals.length });

    /** Loads and submits one file; never rejects for bad input, which is that file's outcome. */
    const start = async (file: string): Promise<{ file: string; loaded?: Loaded; result?: CheckResult; elle?: ElleOutcome; error?: FaultlineError }> => {
      try {
        const loaded = await loadHistory(file, format, file);
        const elleModel = values.model ?? inferElle(loaded.ops);
        if (elleModel !== undefined && isElleModel(elleModel)) {
          // Elle's checkers are linear-time and run here, on this thread, between the pool's searches. Nothing
          // in them ends a deferral (tier-up.ts), and a large history's graph work wants optimized code.
          if (loaded.ops.length >= ELLE_OPTIMIZE_FROM) optimizeNow();
          const { runElle } = await import('../checker/elle/run.js');
          return { file, loaded, elle: runElle(elleModel, file, loaded.ops, { consistency, where: (i) => `${file}:${loaded.lines[i]}` }) };
        }
        if (values.consistency !== undefined) throw usageError(`${file}: --consistency applies to list-append histories, not ${values.model ?? 'this inferred model'}`);
        const spec = modelFor(file, loaded, values.model, values.initial, nilRead, values['no-partition'] === true);
        const result = await session.submit(loaded.ops, createModel(spec), {
          timeoutMs: timeout === undefined ? undefined : timeout * 1000,
          allPartitions: values['evidence-all'] === true,
          // --json lines carry no evidence: skip the up-to-2 s search for a deeper prefix of an illegal partition.
          evidence: values.evidence !== undefined ? 'full' : json ? 'none' : 'failures',
          where: (i) => `${file}:${loaded.lines[i]}`,
        });
        return { file, loaded, result };
      } catch (e) {
        if (!(e instanceof FaultlineError) || e.code !== EXIT.usage) throw e;
        return { file, error: e };
      }
    };

    let invalid = false;
    let unknown = false;
    let badInput = false;
    const evidence: object[] = [];
    const inFlight: ReturnType<typeof start>[] = [];
    const printNext = async (): Promise<void> => {
      const { file, loaded, result, elle, error } = await inFlight.shift()!;
      if (elle && loaded) {
        invalid ||= elle.valid === false;
        unknown ||= elle.valid === 'unknown';
        process.stdout.write((json ? JSON.stringify({ file, format: loaded.format, ignored: ignoredOps(loaded), ...elle.json }) : elle.text) + '\n');
        if (values.evidence !== undefined) evidence.push({ file, format: loaded.format, ...elle.evidence });
        return;
      }
      if (error || !loaded || !result) {
        badInput = true;
        process.stderr.write(error!.message + '\n');
        if (json) process.stdout.write(JSON.stringify({ file, error: error!.message }) + '\n');
        return;
      }
      invalid ||= result.valid === false;
      unknown ||= result.valid === 'unknown';
      process.stdout.write((json ? jsonLine(file, loaded, result) : textLine(file, loaded, result)) + '\n');
      if (values.evidence !== undefined) evidence.push({ file, format: loaded.format, ...result });
    };
    try {
      for (const file of positionals) {
        if (inFlight.length >= AHEAD) await printNext();
        const p = start(file);
        // Printed in order later; an internal error surfaces there, not as an unhandled rejection now.
        p.catch(() => undefined);
        inFlight.push(p);
      }
      while (inFlight.length > 0) await printNext();
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
 * at nil, its kv logs the kv model; otherwise the ops decide (see inferModel). The nil-read rule
 * follows the source: Knossos's for EDN, the absent value for everything else (README: checker).
 */
function modelFor(file: string, loaded: Loaded, name: string | undefined, initial: string | undefined, nilRead: NilRead | undefined, noPartition: boolean): ModelSpec {
  const chosen = name ?? (loaded.format === 'porcupine-etcd' ? 'cas-register' : loaded.format === 'porcupine-kv' ? 'kv' : inferModel(loaded.ops));
  if (chosen === undefined) throw usageError(`${file}: a queue history needs --model fifo-queue or --model unordered-queue`);
  const spec: ModelSpec = { name: chosen, nilRead: nilRead ?? (loaded.format === 'edn' ? 'any' : 'absent') };
  if (initial !== undefined) spec.initial = parseInitial(initial);
  if (noPartition) spec.partition = false;
  return spec;
}

/** A history for one of Elle's checkers, told by its ops: txns with appends are list-append, watch streams watch. */
export function inferElle(ops: readonly Op[]): string | undefined {
  // Indexed loops over a history's ops here and below: a batch of small files runs them with cold JIT,
  // where for-of costs 4x as much (2-4 ms per pass over the 17,046 ops of the jepsen corpus).
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.process === NEMESIS) continue;
    if (op.f === 'watch') return 'watch';
    if (op.f === 'txn' && Array.isArray(op.value) && op.value.some((m) => Array.isArray(m) && m[0] === 'append')) return 'list-append';
  }
  // Txns of reads and writes only are Knossos's multi-register (linearizability): inferModel decides.
  return undefined;
}

/** The client ops' `f`s name the model; a queue's discipline cannot be told from them (undefined: --model needed). */
export function inferModel(ops: readonly Op[]): string | undefined {
  const fs = new Set<string>();
  for (let i = 0; i < ops.length; i++) if (ops[i].process !== NEMESIS) fs.add(ops[i].f);
  if (fs.has('enqueue') || fs.has('dequeue')) return undefined;
  if (fs.has('txn')) return 'multi-register';
  if (fs.has('acquire') || fs.has('release')) return 'mutex';
  if (fs.has('cas')) return 'cas-register';
  if (fs.has('get') || fs.has('put') || fs.has('append')) return 'kv';
  if (fs.has('add')) return 'set';
  return 'register';
}

function parseInitial(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // a bare word: `--initial abc` means the string "abc"
  }
}

const VERDICT = { true: 'linearizable', false: 'NOT linearizable', unknown: 'UNKNOWN' } as const;

/** Ops that are not client ops: the nemesis's, and those the importer left out (other named processes). */
function ignoredOps(loaded: Loaded): number {
  let n = loaded.dropped ?? 0;
  const ops = loaded.ops;
  for (let i = 0; i < ops.length; i++) if (ops[i].process === NEMESIS) n++;
  return n;
}

function textLine(file: string, loaded: Loaded, r: CheckResult): string {
  const parts = r.partitions.length;
  const ignored = ignoredOps(loaded);
  let line = `${file}: ${VERDICT[String(r.valid) as keyof typeof VERDICT]} (${r.ops} ops, ${parts} partition${parts === 1 ? '' : 's'}, ${r.ms.toFixed(1)} ms; ${r.model}, ${loaded.format}${ignored > 0 ? `; ${ignored} non-client ops ignored` : ''})`;
  const bad = r.partitions.find((p) => p.valid === false);
  if (bad) line += `: ${bad.key === null ? 'the history' : `key ${JSON.stringify(bad.key)}`} cannot be linearized past ${bad.linearized?.length ?? 0} of ${bad.ops} ops`;
  else if (r.valid === 'unknown') {
    const reasons = [...new Set(r.partitions.filter((p) => p.valid === 'unknown').map((p) => p.reason))];
    line += `: gave up (${reasons.join(', ')})`;
  }
  return line;
}

function jsonLine(file: string, loaded: Loaded, r: CheckResult): string {
  const out: Record<string, unknown> = { file, valid: r.valid, ops: r.ops, partitions: r.partitions.length, ms: Math.round(r.ms * 1000) / 1000, model: r.model, format: loaded.format, ignored: ignoredOps(loaded) };
  if (r.valid === 'unknown') out.reasons = [...new Set(r.partitions.filter((p) => p.valid === 'unknown').map((p) => p.reason))];
  // Partitions searched in both orders: how many each order decided first.
  const raced: Record<string, number> = {};
  for (const p of r.partitions) if (p.order) raced[p.order] = (raced[p.order] ?? 0) + 1;
  if (Object.keys(raced).length > 0) out.raced = raced;
  return JSON.stringify(out);
}
