// `faultline lab up|down|status|sweep`: start a cluster by hand for debugging, list and remove runs' leftovers.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Scope } from '../lab/scope.js';
import { isRoot, sleep } from '../lab/exec.js';
import { createLab, defaultLabKind, parseLabKind } from '../lab/factory.js';
import type { Lab } from '../lab/lab.js';
import { describeResource, isAlive, listRuns, newRunId, ledgerDir, removeResource, RunLedger, sweep, sweepDeadRuns } from '../lab/ledger.js';
import { resolveSystem, settingsFor } from '../system/index.js';
import type { Cluster } from '../system/system.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { envError, EXIT, usageError } from '../util/errors.js';
import type { Command } from './command.js';
import { CLUSTER_FLAGS, parseClusterFlags, systemFlagsUsage } from './system-flags.js';
import { makeDirs } from '../util/dirs.js';
import { runStamp } from '../results/layout.js';
import { SANDBOX_USAGE } from '../lab/sandbox-cli.js';
import { HOSTS_FILE_HELP, sshConfig, sshConfigFor, type SshSource } from '../lab/ssh-hosts.js';

const USAGE = `usage:
  faultline lab up [--system NAME] [--lab host|netns] [--nodes N] [--heartbeat MS] [--election MS]
                   [--pre-vote on|off] [--bin DIR|PATH] [--results DIR] [--detach] [--json]
      Start a cluster, print its endpoints and run id, stay up until Ctrl-C (everything is removed),
      or with --detach leave it running in the background until \`faultline lab down RUNID\`.
      Defaults: --lab netns as root else host, --nodes 3, --heartbeat 100, --election 1000, --pre-vote off,
      --results results: the run goes to RESULTS/lab/<time>-<runid> (node logs and metrics stay there; data
      dirs are deleted). --dir DIR (the exact directory) still works, deprecated.
  faultline lab down RUNID [--json]    stop a run's cluster and remove everything it created
  faultline lab status [--json]        list registered runs, whether their owner is alive, their resources
  faultline lab sweep [--all] [--json] remove leftovers of runs whose owner died (--all: of every run)
  faultline lab sweep --lab ssh --hosts H,... | --hosts-file F [--all]
      also on every ssh host: runs whose control node's session is gone (--all: every run there)
  lab up --lab ssh --hosts H1,H2,... | --hosts-file F   nodes on real hosts over ssh (n1 on H1, ...)
${SANDBOX_USAGE}

${HOSTS_FILE_HELP}

system flags (lab up):
${systemFlagsUsage()}

exit codes: 0 ok, 3 usage, 4 environment (store missing, e.g. apt-get install etcd-server etcd-client; no root for netns)
`;

/** Set by a detached `lab up` parent: the child writes its endpoints here once the cluster is healthy. */
const READY_ENV = 'FAULTLINE_LAB_READY';

const out = (s: string): void => void process.stdout.write(s + '\n');

interface UpInfo {
  runId: string;
  lab: string;
  dir: string;
  pid: number;
  system: string;
  version: string;
  leader: string | null;
  endpoints: string;
  nodes: { name: string; clientUrl: string; ports: Record<string, number>; log: string; pid: number | null; uid: number | null }[];
}

async function up(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('lab up', argv, {
    results: { type: 'string' },
    dir: { type: 'string' },
    'run-id': { type: 'string' },
    detach: { type: 'boolean' },
    json: { type: 'boolean' },
    ...CLUSTER_FLAGS,
  });
  if (positionals.length > 0) throw usageError(`faultline lab up: unexpected argument "${positionals[0]}" (see: faultline lab --help)`);
  if (values.dir !== undefined && !process.env[READY_ENV]) process.stderr.write('faultline lab up: --dir is deprecated: use --results DIR (the run goes to DIR/lab/<time>-<runid>, as every command writes under --results)\n');
  // A detached child repeats the parent's flags: the parent has already said what there was to say.
  const flags = parseClusterFlags('lab up', values, process.env[READY_ENV] ? () => undefined : undefined);
  const kind = flags.lab ?? defaultLabKind();
  const nodes = flags.nodes ?? 3;
  const heartbeatMs = flags.heartbeatMs ?? 100;
  const electionMs = flags.electionMs ?? 1000;
  const pv = flags.preVote ? 'on' : 'off';
  if (kind === 'netns' && !isRoot()) throw envError('faultline lab up: the netns lab needs root: run as root, or use --lab host');
  const ssh = sshSource(flags.hosts?.join(','), flags.hostsFile);
  if (kind === 'ssh') sshConfigFor(ssh, nodes);
  const runIdOpt = values['run-id'];
  if (runIdOpt !== undefined && !/^[a-z0-9]{1,8}$/.test(runIdOpt)) throw usageError(`faultline lab up: --run-id must be 1-8 lowercase letters/digits`);
  // Before anything is created: a missing store must not leave a half-made lab behind.
  const { system, note } = await resolveSystem(flags.system, flags.binPath);
  if (note && !process.env[READY_ENV]) process.stderr.write(`faultline: ${note}\n`);
  const settings = settingsFor(system, { heartbeatMs, electionMs, preVote: pv === 'on', ...(flags.systemOptions ? { options: flags.systemOptions } : {}) });
  const runId = runIdOpt ?? newRunId();
  const dir = resolve(values.dir ?? join(values.results ?? 'results', 'lab', `${runStamp(new Date())}-${runId}`));

  if (values.detach) return detach(argv, runId, dir, values.json === true);

  makeDirs(dir);
  await sweepDeadRuns();
  // Whatever is set up below is torn down in reverse on Ctrl-C / SIGTERM (and on a failed start).
  const scope = new Scope((what, e) => process.stderr.write(`faultline lab: ${what}: ${e.message.split('\n')[0]}\n`), true);
  let lab: Lab;
  let cluster: Cluster;
  try {
    const registry = RunLedger.create(runId, kind);
    scope.defer('release registry', async () => {
      for (const e of await registry.release()) process.stderr.write(`faultline lab: could not remove ${e}\n`);
    });
    lab = createLab(kind, { runId, nodeCount: nodes, registry, ports: system.ports, ...(kind === 'ssh' ? { ssh } : {}) });
    // Deferred before up(): down() also removes what a half-finished up() made.
    const l = lab;
    scope.defer('lab down', () => l.down());
    await lab.up();
    cluster = await system.createCluster({ lab, settings, runDir: dir, t0: process.hrtime.bigint(), ...(flags.binPath ? { binPath: flags.binPath } : {}) });
    const cl = cluster;
    scope.defer('cluster teardown', () => cl.teardown());
    await cluster.start(60_000);
  } catch (e) {
    await scope.close();
    throw e;
  }
  const c = cluster;
  const info: UpInfo = {
    runId,
    lab: kind,
    dir,
    pid: process.pid,
    system: system.name,
    version: c.version,
    leader: (await c.leader()) ?? null,
    endpoints: c.nodes.map((n) => c.clientUrl(n)).join(','),
    nodes: lab.nodes.map((n) => ({
      name: n.name,
      clientUrl: c.clientUrl(n.name),
      ports: { ...n.ports },
      log: c.logFile(n.name),
      pid: c.pid(n.name) ?? null,
      uid: n.uid ?? null,
    })),
  };
  const ready = process.env[READY_ENV];
  if (ready) writeFileSync(ready, JSON.stringify(info));
  else print(info, values.json === true, false);
  // Stay up until a signal; the scope tears down and the signal handler exits 130/143.
  await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
  return EXIT.valid;
}

function print(info: UpInfo, json: boolean, detached: boolean): void {
  if (json) return out(JSON.stringify(info));
  out(`faultline lab: run ${info.runId}, ${info.lab} lab, ${info.system} ${info.version}, ${info.nodes.length} nodes, leader ${info.leader ?? '(none yet)'}`);
  for (const n of info.nodes) {
    const ports = Object.entries(n.ports).map(([k, v]) => `${k} ${v}`).join('  ');
    out(`  ${n.name}  ${n.clientUrl}  ${ports}  pid ${n.pid ?? '-'}${n.uid !== null ? `  uid ${n.uid}` : ''}`);
  }
  out(`  endpoints: ${info.endpoints}`);
  out(`  logs: ${info.nodes[0]?.log ?? info.dir}`);
  out(detached ? `  running in the background (pid ${info.pid}); stop with: faultline lab down ${info.runId}` : `  Ctrl-C to stop and remove everything (or: faultline lab down ${info.runId})`);
}

/**
 * --detach: the same command runs again as a background process that owns the run (so `lab sweep` sees a
 * live owner and leaves it alone); this process waits for its ready file, prints, and exits.
 */
async function detach(argv: string[], runId: string, dir: string, json: boolean): Promise<number> {
  makeDirs(dir);
  const readyFile = join(dir, 'lab-ready.json');
  rmSync(readyFile, { force: true });
  const log = openSync(join(dir, 'lab.log'), 'a');
  const args = [process.argv[1]!, 'lab', 'up', ...argv.filter((a) => a !== '--detach'), '--run-id', runId, '--dir', dir];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, [READY_ENV]: readyFile },
  });
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 90_000;
  while (!existsSync(readyFile)) {
    if (exited !== null || Date.now() > deadline) {
      if (exited === null) child.kill('SIGTERM');
      const tail = readFileSync(join(dir, 'lab.log'), 'utf8').trim().split('\n').slice(-5).join('\n');
      process.stderr.write(tail + '\n');
      return exited ?? EXIT.environment;
    }
    await sleep(50);
  }
  const info = JSON.parse(readFileSync(readyFile, 'utf8')) as UpInfo;
  child.unref();
  print(info, json, true);
  return EXIT.valid;
}

async function down(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('lab down', argv, { json: { type: 'boolean' } });
  const runId = positionals[0];
  if (!runId || positionals.length > 1) throw usageError('faultline lab down: give exactly one RUNID (see: faultline lab status)');
  const rec = listRuns().find((r) => r.runId === runId);
  if (!rec) throw usageError(`faultline lab down: no registered run "${runId}" (see: faultline lab status)`);
  const file = join(ledgerDir(), `${runId}.json`);
  let how = 'swept';
  if (rec.ownerAlive) {
    // The owner cleans up after itself on SIGTERM; wait for its record to disappear.
    process.kill(rec.ownerPid, 'SIGTERM');
    // Done when its record is gone (released) or it died; an orphaned owner may linger as a zombie until
    // pid 1 reaps it, so the record is the signal to watch.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && existsSync(file) && isAlive(rec.ownerPid, rec.ownerStartTime)) await sleep(20);
    how = 'stopped by its owner';
  }
  const errors: string[] = [];
  if (existsSync(file)) {
    // Owner gone (or killed before finishing): remove what is still recorded, processes first.
    const left = (JSON.parse(readFileSync(file, 'utf8')) as { resources: Parameters<typeof removeResource>[0][] }).resources;
    const ordered = [...left.filter((r) => r.kind === 'process'), ...left.filter((r) => r.kind !== 'process').reverse()];
    for (const r of ordered) await removeResource(r).catch((e: Error) => errors.push(`${describeResource(r)}: ${e.message}`));
    if (errors.length === 0) rmSync(file, { force: true });
  }
  if (values.json) out(JSON.stringify({ runId, how, errors }));
  else {
    out(`faultline lab: run ${runId} ${how}${errors.length ? '' : ', nothing left'}`);
    for (const e of errors) out(`  could not remove ${e}`);
  }
  return errors.length ? EXIT.environment : EXIT.valid;
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseOptions('lab status', argv, { json: { type: 'boolean' } });
  const runs = listRuns();
  if (values.json) {
    out(JSON.stringify(runs.map((r) => ({ ...r, described: r.resources.map(describeResource) }))));
    return EXIT.valid;
  }
  if (runs.length === 0) out('faultline lab: no registered runs');
  for (const r of runs) {
    out(`${r.runId}  ${r.lab}  owner ${r.ownerPid} ${r.ownerAlive ? 'alive' : 'DEAD (faultline lab sweep removes it)'}  since ${r.startedAt}  ${r.resources.length} resources`);
    for (const res of r.resources) out(`  ${describeResource(res)}`);
  }
  return EXIT.valid;
}

async function sweepCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('lab sweep', argv, { all: { type: 'boolean' }, json: { type: 'boolean' }, lab: { type: 'string' }, hosts: { type: 'string' }, 'hosts-file': { type: 'string' } });
  if (positionals.length > 0) throw usageError(`faultline lab sweep: unexpected argument "${positionals[0]}"`);
  const kind = parseLabKind(values.lab);
  const ssh = kind === 'ssh' ? sshConfig(sshSource(values.hosts, values['hosts-file'])) : undefined;
  const reports = await sweep(values.all === true);
  if (ssh) reports.push(...(await (await import('../lab/ssh-sweep.js')).sweepHosts(ssh, values.all === true)));
  const failed = reports.some((r) => r.errors.length > 0);
  if (values.json) out(JSON.stringify(reports));
  else {
    if (reports.length === 0) out('faultline lab sweep: nothing to remove');
    for (const r of reports) {
      out(`${r.runId}: removed ${r.removed.length} resources${r.ownerAlive ? ' (owner was alive: --all)' : ''}`);
      for (const e of r.errors) out(`  could not remove ${e}`);
    }
  }
  return failed ? EXIT.environment : EXIT.valid;
}

const sshSource = (hosts: string | undefined, hostsFile: string | undefined): SshSource => ({
  ...(hosts !== undefined ? { hosts: hosts.split(',').filter((h) => h !== '') } : {}),
  ...(hostsFile !== undefined ? { hostsFile: resolve(hostsFile) } : {}),
});

export const command: Command = {
  summary: 'start a cluster by hand (up), stop it (down), list runs (status), remove leftovers (sweep)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'up':
        return up(rest);
      case 'down':
        return down(rest);
      case 'status':
        return status(rest);
      case 'sweep':
        return sweepCmd(rest);
      case 'sandbox':
        return (await import('../lab/sandbox-cli.js')).sandboxCommand(rest, down);
      default:
        throw usageError(`faultline lab: ${sub === undefined ? 'missing' : `unknown`} subcommand${sub ? ` "${sub}"` : ''}: use up, down, status or sweep (see: faultline lab --help)`);
    }
  },
};
