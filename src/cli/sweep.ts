// `faultline sweep`: measure a grid of Raft timings on real clusters, resumably, and write sweep.html.
import { Writable } from 'node:stream';
import { join, relative, resolve } from 'node:path';
import { onInterrupt } from '../lab/cleanup.js';
import { resolveSchedule } from '../run/faults.js';
import { parseLabKind } from '../lab/factory.js';
import { newSeed } from '../generator/random.js';
import { parseMsList, parseOnOffList, sweepName } from '../sweep/grid.js';
import { runSweep } from '../sweep/runner.js';
import type { SweepIdentity } from '../sweep/state.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';
import { parseSystemFlags, SYSTEM_FLAGS, systemFlagsUsage } from './system-flags.js';

const USAGE = `usage: faultline sweep [options]

Measures every cell of a grid of Raft timings on a real cluster and writes sweep.html: per cell the time to
a new leader after the leader is killed, write unavailability after leader isolation, p50/p99 commit latency
without faults, leader changes and term growth under a gray partition and under packet loss, and elections
with no fault at all; a heatmap per figure, the Pareto front of availability against latency, a recommended
setting with its reasons, and what the data say about "election timeout ≈ 5× heartbeat".
Resumable: run the same command again and only unfinished cells run (a run cut short is done again).

  --heartbeat LIST     heartbeat intervals in ms, comma-separated (default 100)
  --election LIST      election timeouts in ms (default 1000); cells the system refuses are reported as refused
  --pre-vote LIST      on, off or on,off (default off)
  --repeat R           repetitions per cell, figures are medians (default 1)
  --time-limit S       seconds of load per run (default 12; 8 with --quick); each cell is 5 runs, 1 with --quick
  --quick              one run per cell (leader kill only): fast, for smoke tests and CI
  --nemesis NAME       also run this nemesis or schedule per cell (repeatable) and tabulate its figures
  --lab host|netns     where nodes live (default: netns as root, host otherwise)
  --results DIR        results root (default ./results): the sweep is RESULTS/sweeps/sweep-<hash of grid and
                       options>, so the same command resumes it (--out DIR, the exact directory, is deprecated)
  --seed N             workload seed of a new sweep (default random; kept in sweep.json)
  --verbose            show each run's progress lines
  --json               print a JSON summary on stdout
${systemFlagsUsage()}

exit codes: 0 every cell measured or refused and every run valid, 1 a run was not linearizable,
2 some cells failed or were interrupted (run again to resume), 3 usage, 4 environment`;

const OPTIONS = {
  heartbeat: { type: 'string' },
  election: { type: 'string' },
  'pre-vote': { type: 'string' },
  repeat: { type: 'string' },
  'time-limit': { type: 'string' },
  quick: { type: 'boolean' },
  nemesis: { type: 'string', multiple: true },
  lab: { type: 'string' },
  out: { type: 'string' },
  results: { type: 'string' },
  seed: { type: 'string' },
  verbose: { type: 'boolean' },
  json: { type: 'boolean' },
  ...SYSTEM_FLAGS,
} as const;

export function parseSweepArgs(argv: string[]): { identity: SweepIdentity; out: string; name: string; seed: number; binPath?: string; verbose: boolean; json: boolean } {
  const { values: v, positionals } = parseOptions('sweep', argv, OPTIONS);
  if (positionals.length > 0) throw usageError(`faultline sweep: unexpected argument "${positionals[0]}" (the grid is given with --heartbeat, --election, --pre-vote; see: faultline sweep --help)`);
  const quick = v.quick === true;
  const repeat = parseNumber('sweep', 'repeat', v.repeat, 1) ?? 1;
  if (!Number.isInteger(repeat)) throw usageError(`faultline sweep: --repeat must be a whole number, got "${v.repeat}"`);
  const timeLimitS = parseNumber('sweep', 'time-limit', v['time-limit'], 6) ?? (quick ? 8 : 12);
  let lab;
  try {
    lab = parseLabKind(v.lab);
    if (lab === 'ssh') throw new Error('the ssh lab is for `faultline run` and `lab up`, not sweeps yet');
  } catch (e) {
    throw usageError(`faultline sweep: --lab: ${(e as Error).message}`);
  }
  const identity: SweepIdentity = {
    grid: { heartbeatMs: parseMsList('heartbeat', v.heartbeat, [100]), electionMs: parseMsList('election', v.election, [1000]), preVote: parseOnOffList(v['pre-vote'], [false]) },
    repeat,
    timeLimitS,
    quick,
    nemesis: v.nemesis ?? [],
    lab: lab ?? null,
  };
  const sys = parseSystemFlags('sweep', v);
  if (sys.system) identity.system = sys.system;
  if (sys.systemOptions) identity.systemOptions = sys.systemOptions;
  // An unknown --nemesis would otherwise surface only at the first cell's extra run, minutes in.
  for (const n of identity.nemesis) resolveSchedule(n);
  const seedArg = parseNumber('sweep', 'seed', v.seed, 0);
  const name = sweepName(identity);
  if (v.out !== undefined) process.stderr.write('faultline sweep: --out is deprecated: use --results DIR (the sweep goes to DIR/sweeps/<name>)\n');
  const out = resolve(v.out ?? join(v.results ?? 'results', 'sweeps', name));
  return { identity, out, name, seed: seedArg ?? newSeed(), ...(sys.binPath ? { binPath: sys.binPath } : {}), verbose: v.verbose === true, json: v.json === true };
}

const sink = new Writable({ write: (_c, _e, cb) => cb() });

export const command: Command = {
  summary: 'measure a grid of Raft timings (heartbeat × election × pre-vote) and recommend one',
  usage: USAGE,
  async run(argv) {
    const a = parseSweepArgs(argv);
    const out = a.json ? process.stderr : process.stdout;
    const interrupt = onInterrupt(out, 'faultline sweep: interrupted: finishing the current run\'s teardown; run the same command again to resume');
    try {
      const rel = relative(process.cwd(), a.out);
      out.write(`sweep ${a.name} in ${rel && !rel.startsWith('..') ? rel : a.out}\n`);
      const r = await runSweep({
        dir: a.out,
        name: a.name,
        identity: a.identity,
        seed: a.seed,
        command: ['faultline', 'sweep', ...argv],
        log: (l) => out.write(l + '\n'),
        runProgress: a.verbose ? out : sink,
        signal: interrupt.signal,
        ...(a.binPath ? { binPath: a.binPath } : {}),
      });
      const c = r.sweep.cells;
      const count = (s: string): number => c.filter((x) => x.status === s).length;
      out.write(`${count('done')} measured, ${count('refused')} refused, ${count('failed')} failed, ${count('pending')} pending; ${r.ran} run(s) this time\nsweep report: ${r.page}\n`);
      if (a.json) process.stdout.write(JSON.stringify({ dir: a.out, page: r.page, ran: r.ran, interrupted: r.interrupted, cells: c.map((x) => ({ id: x.id, status: x.status, reason: x.reason ?? null, valid: x.valid ?? null, metrics: x.metrics ?? null })) }) + '\n');
      if (c.some((x) => x.valid === false)) return EXIT.invalid;
      return r.interrupted || count('failed') + count('pending') > 0 ? EXIT.unknown : EXIT.valid;
    } finally {
      interrupt.done();
    }
  },
};
