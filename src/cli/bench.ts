// `faultline bench`: maximum-throughput commit latency (autocannon puts) at a ladder of concurrency levels.
import { resolve } from 'node:path';
import { runBench } from '../throughput/bench-run.js';
import { formatBenchLevel } from '../report/bench-format.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';
import { CLUSTER_FLAGS, parseClusterFlags, systemFlagsUsage } from './system-flags.js';

const USAGE = `usage: faultline bench [--endpoints URL,...] [--connections 1,16,64] [--duration S] [--requests N]
                       [--system NAME] [--lab host|netns] [--nodes N] [--bin PATH] [--results DIR] [--json]

Puts (POST /v3/kv/put) as fast as possible against the leader and then each follower, at every
concurrency of the ladder, and prints etcd benchmark's summary per level (any store with etcd's JSON gateway). Stored as a run:
RESULTS/bench/<time>-<runid>/ with test.json, results.json ("bench" key), report.html, junit.xml.
  --endpoints URL,...   an existing cluster's client URLs (default: start a cluster of --nodes in --lab)
  --connections LIST    concurrency ladder (default 1,16,64)
  --duration S          seconds per level (default 5, at most 300)
  --requests N          stop a level after N requests
  --lab host|netns      lab for the cluster bench starts (default host)
  --nodes N             cluster size when starting one (default 3)
  --heartbeat MS, --election MS, --pre-vote on|off   the started cluster's timings (default 100, 1000, off)
  --results DIR         results directory (default ./results)
  --json                print results.json's "bench" array instead of the text summary
${systemFlagsUsage()}
exit codes: 0 done, 3 bad usage, 4 environment (store missing, endpoint not answering)`;

function parseLadder(raw: string | undefined): number[] {
  if (raw === undefined) return [1, 16, 64];
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) {
    throw usageError(`faultline bench: --connections must be a comma-separated list of integers 1..1024, got "${raw}"`);
  }
  return list;
}

function parseEndpoints(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((x) => x.trim()).filter(Boolean);
  for (const u of list) {
    if (!/^https?:\/\/[^/]+\/?$/.test(u)) throw usageError(`faultline bench: --endpoints entry "${u}" is not a base URL like http://127.0.0.1:2379`);
  }
  if (list.length === 0) throw usageError('faultline bench: --endpoints is empty; give client URLs like http://127.0.0.1:2379');
  return list;
}

export const command: Command = {
  summary: 'commit-latency benchmark (autocannon) against leader and followers',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseOptions('bench', argv, {
      endpoints: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      requests: { type: 'string' },
      results: { type: 'string' },
      json: { type: 'boolean' },
      ...CLUSTER_FLAGS,
    });
    const { lab, nodes: nodeFlag, heartbeatMs, electionMs, preVote, hosts, hostsFile, ...flags } = parseClusterFlags('bench', values);
    if (lab === 'ssh' || hosts || hostsFile) throw usageError('faultline bench: the ssh lab is not supported here; use --endpoints with the cluster of `faultline lab up --lab ssh`');
    if (positionals.length) throw usageError(`faultline bench: unexpected argument "${positionals[0]}" (see: faultline bench --help)`);
    const durationS = parseNumber('bench', 'duration', values.duration, 1) ?? 5;
    if (durationS > 300) throw usageError(`faultline bench: --duration must be at most 300 seconds per level, got ${durationS}`);
    const nodes = nodeFlag ?? 3;
    const maxRequests = parseNumber('bench', 'requests', values.requests, 1);
    const { runDir, results } = await runBench({
      resultsDir: resolve(values.results ?? 'results'),
      endpoints: parseEndpoints(values.endpoints),
      lab: lab ?? 'host',
      raft: { ...(heartbeatMs ? { heartbeatMs } : {}), ...(electionMs ? { electionMs } : {}), ...(preVote !== undefined ? { preVote } : {}) },
      nodes,
      connections: parseLadder(values.connections),
      durationS,
      ...(maxRequests ? { maxRequests } : {}),
      ...flags,
      command: ['faultline', 'bench', ...argv],
      onLevel: values.json ? undefined : (l) => process.stdout.write(formatBenchLevel(l) + '\n\n'),
    });
    if (values.json) process.stdout.write(JSON.stringify({ runDir, bench: results.bench }) + '\n');
    else process.stdout.write(`report: ${runDir}/report.html\n`);
    return EXIT.valid;
  },
};
