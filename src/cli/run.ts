// `faultline run`: resolve the spec and flags, run the test, analyze what was recorded, exit with the verdict.
import { relative } from 'node:path';
import { onInterrupt } from '../lab/cleanup.js';
import { analyze, exitCodeOf, verdictWord, type Analysis } from '../run/analyze.js';
import { durabilityLine } from '../report/durability.js';
import { runTest, type RunSummary } from '../run/runner.js';
import { resolveSpec, type SpecOverrides } from '../spec/spec.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';
import { skippedByReason, type FaultCoverage } from '../nemesis/coverage.js';
import { CLUSTER_FLAGS, parseClusterFlags, systemFlagsUsage } from './system-flags.js';

const USAGE = `usage: faultline run [SPEC] [options]

Runs a test against a real cluster, records the history, then checks it and writes the report.
SPEC is a preset in workloads/ (register, kv, stale-reads, ...) or a path to a spec file; default: register.
Flags override the spec file.

${systemFlagsUsage()}
  --lab host|netns|ssh    where nodes live (default: netns as root, host otherwise)
  --hosts H1,H2,...       ssh lab: [user@]address[:port] per node, in order (n1 on H1, ...)
  --hosts-file FILE       ssh lab: hosts as JSON with keys, sudo, known_hosts (see: faultline lab --help)
  --nodes N               cluster size (default 3)
  --time-limit S          seconds of load: warm-up + faults + recovery (default 30)
  --concurrency C         client workers, spread over nodes round-robin (default 6)
  --rate R                global ops/s limit (default: unlimited)
  --nemesis NAME          a nemesis name or schedule (nemeses/*.json); repeat for several; none for no faults
  --heartbeat MS          raft heartbeat interval (default 100)
  --election MS           raft election timeout (default 1000)
  --pre-vote on|off       raft pre-vote (default off, etcd's default; antietcd has none)
  --serializable-reads    read from each node's local state (may be stale) instead of linearizable reads
  --op-timeout MS         per-request client timeout (default 2000; --timeout MS still works, deprecated)
  --seed N                replay the same op mix, keys, values and nemesis choices
  --results DIR           results root (default ./results)
  --json                  print a JSON summary on stdout (progress goes to stderr)

exit codes: 0 valid, 1 invalid, 2 unknown, 3 bad spec or usage, 4 environment (missing store binary, no root)
`;

const OPTIONS = {
  'time-limit': { type: 'string' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  nemesis: { type: 'string', multiple: true },
  'serializable-reads': { type: 'boolean' },
  'op-timeout': { type: 'string' },
  timeout: { type: 'string' },
  seed: { type: 'string' },
  results: { type: 'string' },
  json: { type: 'boolean' },
  ...CLUSTER_FLAGS,
} as const;

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  const n = parseNumber('run', name, raw, min);
  if (n !== undefined && !Number.isInteger(n)) throw usageError(`faultline run: --${name} must be an integer, got "${raw}"`);
  return n;
}

export function parseRunArgs(argv: string[]): { specArg: string | undefined; overrides: SpecOverrides; results: string; binPath?: string; json: boolean } {
  const { values: v, positionals } = parseOptions('run', argv, OPTIONS);
  if (positionals.length > 1) throw usageError(`faultline run: one SPEC at most, got ${positionals.join(' ')} (see: faultline run --help)`);
  const o: SpecOverrides = {};
  const set = <K extends keyof SpecOverrides>(k: K, x: SpecOverrides[K] | undefined): void => {
    if (x !== undefined) o[k] = x;
  };
  const sys = parseClusterFlags('run', v);
  set('lab', sys.lab);
  set('hosts', sys.hosts);
  set('hostsFile', sys.hostsFile);
  set('system', sys.system);
  set('systemOptions', sys.systemOptions);
  set('nodes', sys.nodes);
  set('timeLimitS', parseNumber('run', 'time-limit', v['time-limit'], 1));
  set('concurrency', integer('concurrency', v.concurrency, 1));
  set('rate', parseNumber('run', 'rate', v.rate, 0.1));
  set('nemesis', v.nemesis);
  set('heartbeatMs', sys.heartbeatMs);
  set('electionMs', sys.electionMs);
  set('preVote', sys.preVote);
  set('serializableReads', v['serializable-reads']);
  if (v.timeout !== undefined) {
    // Elsewhere --timeout is the checker's deadline in seconds: on run it is the old per-request spelling.
    process.stderr.write('faultline run: --timeout MS is deprecated and will mean the checker deadline in seconds, as on check/analyze/report: use --op-timeout MS\n');
  }
  set('timeoutMs', integer('op-timeout', v['op-timeout'], 10) ?? integer('timeout', v.timeout, 10));
  set('seed', integer('seed', v.seed, 0));
  return { specArg: positionals[0], overrides: o, results: v.results ?? 'results', ...(sys.binPath ? { binPath: sys.binPath } : {}), json: v.json === true };
}

const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

export const command: Command = {
  summary: 'run a test against a real cluster, check it, write the report',
  usage: USAGE,
  async run(argv) {
    // `faultline run leader-crash` runs a scenario preset (scenarios/*.json); its own flags apply.
    if ((await import('../scenario/preset.js')).isScenarioName(argv[0])) {
      // Said, not silent: the flags are the scenario command's, and its output differs from a run's.
      process.stderr.write(`faultline run: ${argv[0]} is a scenario of the catalogue; running \`faultline scenarios ${argv.join(' ')}\`\n`);
      return (await import('./scenarios.js')).command.run(argv);
    }
    const args = parseRunArgs(argv);
    const spec = resolveSpec(args.specArg, args.overrides);
    const out = args.json ? process.stderr : process.stdout;

    // Ctrl-C / SIGTERM: the shared handler waits for our orderly stop (heal, teardown, analysis) before exiting.
    const interrupt = onInterrupt(out, 'faultline: interrupted: stopping load, healing faults, tearing down; the history is kept');
    try {
      const summary = await runTest({ spec, resultsDir: args.results, command: ['faultline', 'run', ...argv], progress: out, signal: interrupt.signal, ...(args.binPath ? { binPath: args.binPath } : {}) });
      out.write(`recorded ${summary.counts.ok} ok, ${summary.counts.fail} fail, ${summary.counts.info} info on ${summary.keys} keys (seed ${summary.seed}) in ${shown(summary.runDir)}\n`);
      if (summary.coverage) out.write(coverageLine(summary.coverage) + '\n');
      for (const e of summary.errors) out.write(`  note: ${e}\n`);
      let analysis: Analysis | undefined;
      let analysisError: string | undefined;
      try {
        analysis = await analyze(summary.runDir);
      } catch (e) {
        analysisError = (e as Error).message.split('\n')[0];
        out.write(`analysis failed: ${analysisError} (the run is kept: faultline analyze ${shown(summary.runDir)})\n`);
      }
      if (args.json) process.stdout.write(JSON.stringify(jsonSummary(summary, analysis, analysisError)) + '\n');
      if (!analysis) return EXIT.unknown;
      if (analysis.durability) out.write(durabilityLine(analysis.durability) + '\n');
      out.write(`verdict: ${verdictWord(analysis.valid)}\nreport: ${shown(analysis.reportPath)}\n`);
      return exitCodeOf(analysis.valid);
    } finally {
      interrupt.done();
    }
  },
};

/** "fault coverage: 4 of 14 ran (pause ×2, kill, ...); 3 available not drawn; skipped: member (why), ...". */
export function coverageLine(c: FaultCoverage): string {
  const ran = Object.entries(c.ran);
  const notDrawn = c.available.filter((f) => !(f in c.ran));
  const parts = [`fault coverage: ${ran.length} of ${c.of.length} ran${ran.length ? ` (${ran.map(([f, n]) => (n > 1 ? `${f} ×${n}` : f)).join(', ')})` : ''}`];
  if (notDrawn.length) parts.push(`available but not drawn this run: ${notDrawn.join(', ')}`);
  if (c.skipped.length) parts.push(`skipped here: ${skippedByReason(c.skipped).map((g) => `${g.names.join(', ')} (${g.reason})`).join('; ')}`);
  return parts.join('; ');
}

function jsonSummary(s: RunSummary, a: Analysis | undefined, analysisError: string | undefined): unknown {
  return {
    valid: a?.valid ?? 'unknown',
    runDir: s.runDir,
    runId: s.runId,
    seed: s.seed,
    lab: s.lab,
    system: s.system,
    interrupted: s.interrupted,
    counts: s.counts,
    keys: s.keys,
    finalReads: s.finalReads,
    stalls: s.stalls,
    errors: s.errors,
    ...(s.coverage ? { coverage: s.coverage } : {}),
    ...(a ? { resultsPath: a.resultsPath, reportPath: a.reportPath } : {}),
    ...(a?.durability ? { durability: { keysAgreed: a.durability.keysAgreed, lostCount: a.durability.lostCount, divergentKeys: a.durability.divergent.length } } : {}),
    ...(analysisError ? { analysisError } : {}),
  };
}
