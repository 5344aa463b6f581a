// `faultline lab sandbox up|down`: the local SSH sandbox as a command, for trying `--lab ssh` on one machine.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onExitCleanup } from './cleanup.js';
import { isRoot, sleep } from './exec.js';
import { ledgerDir } from './ledger.js';
import { startSandbox } from './sandbox.js';
import { parseNumber, parseOptions } from '../util/args.js';
import { envError, EXIT, usageError } from '../util/errors.js';

export const SANDBOX_USAGE = `  faultline lab sandbox up [--hosts N] [--detach] [--json]
      N network namespaces (default 3), each running its own sshd with keys made for it; prints the
      --hosts-file to use with --lab ssh. Stays up until Ctrl-C, or with --detach until \`lab sandbox down ID\`.
  faultline lab sandbox down ID       stop a sandbox and remove everything it created`;

const READY_ENV = 'FAULTLINE_SANDBOX_READY';

interface Info {
  runId: string;
  hostsFile: string;
  addresses: string[];
  pid: number;
}

function print(i: Info, json: boolean, detached: boolean): void {
  if (json) return void process.stdout.write(JSON.stringify(i) + '\n');
  process.stdout.write(
    `faultline lab sandbox: ${i.runId}, ${i.addresses.length} ssh hosts (${i.addresses.join(', ')})\n` +
      `  hosts file: ${i.hostsFile}\n` +
      `  try: faultline run --lab ssh --hosts-file ${i.hostsFile} --time-limit 10\n` +
      (detached ? `  stop with: faultline lab sandbox down ${i.runId}\n` : '  Ctrl-C to stop and remove everything\n'),
  );
}

async function up(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('lab sandbox up', argv, { hosts: { type: 'string' }, detach: { type: 'boolean' }, json: { type: 'boolean' }, 'run-id': { type: 'string' } });
  if (positionals.length > 0) throw usageError(`faultline lab sandbox up: unexpected argument "${positionals[0]}"`);
  const n = parseNumber('lab sandbox up', 'hosts', values.hosts, 1) ?? 3;
  if (!Number.isInteger(n) || n > 9) throw usageError(`faultline lab sandbox up: --hosts must be an integer 1..9, got "${values.hosts}"`);
  if (!isRoot()) throw envError('faultline lab sandbox: network namespaces need root: run as root');
  const runId = values['run-id'];
  if (runId !== undefined && !/^[a-z0-9]{1,6}$/.test(runId)) throw usageError('faultline lab sandbox up: --run-id must be 1-6 of [a-z0-9]');
  if (values.detach) {
    // The same command in the background owns the sandbox (a live owner: no sweep takes it for dead).
    const ready = join(ledgerDir(), `sandbox-ready-${process.pid}.json`);
    rmSync(ready, { force: true });
    const child = spawn(process.execPath, [process.argv[1]!, 'lab', 'sandbox', 'up', '--hosts', String(n)], { detached: true, stdio: 'ignore', env: { ...process.env, [READY_ENV]: ready } });
    let exited: number | null = null;
    child.once('exit', (c) => (exited = c ?? 1));
    const deadline = Date.now() + 60_000;
    while (!existsSync(ready)) {
      if (exited !== null || Date.now() > deadline) throw envError('faultline lab sandbox up: the background sandbox did not start (run it without --detach to see why)');
      await sleep(50);
    }
    const info = JSON.parse(readFileSync(ready, 'utf8')) as Info;
    rmSync(ready, { force: true });
    child.unref();
    print(info, values.json === true, true);
    return EXIT.valid;
  }
  const sb = await startSandbox(n, runId ? { runId } : {});
  onExitCleanup(async () => {
    for (const e of await sb.down()) process.stderr.write(`faultline lab sandbox: could not remove ${e}\n`);
  });
  const info: Info = { runId: sb.runId, hostsFile: sb.hostsFile, addresses: sb.addresses, pid: process.pid };
  const ready = process.env[READY_ENV];
  if (ready) writeFileSync(ready, JSON.stringify(info));
  else print(info, values.json === true, false);
  await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
  return EXIT.valid;
}

/** `down` is `lab down ID`: a sandbox is a run like any other in the registry. */
export async function sandboxCommand(argv: string[], labDown: (argv: string[]) => Promise<number>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'up') return up(rest);
  if (sub === 'down') return labDown(rest);
  throw usageError(`faultline lab sandbox: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use up or down`);
}
