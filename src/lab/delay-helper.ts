// Builds the nfqueue-delay C helper on first use (cached by source hash) and launches it inside a namespace.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { envError } from '../util/errors.js';
import { processStartTime, type Resource } from './ledger.js';
import { markedEnv } from './marker.js';
import { makeDirs } from '../util/dirs.js';

const run = promisify(execFile);

const INSTALL_HINT = 'apt-get install gcc libnetfilter-queue-dev';

/** The C source ships beside this file in src/; compiled JS lives in dist/src/lab, so look in both places. */
function sourcePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'nfqueue-delay.c'), join(here, '..', '..', '..', 'src', 'lab', 'nfqueue-delay.c')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw envError(`nfqueue-delay.c not found (looked in ${candidates.join(', ')}): reinstall faultline with its src/ folder`);
  return found;
}

export function cacheDir(): string {
  return process.env['FAULTLINE_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'faultline');
}

let built: Promise<string> | undefined;

/**
 * Path of the compiled helper, building it if the cached binary is missing or stale. Link flags vary by
 * distribution (Debian ships no libmnl.so dev link), so a few sets are tried in order.
 */
export function buildDelayHelper(): Promise<string> {
  built ??= (async () => {
    const src = sourcePath();
    const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
    const dir = cacheDir();
    const bin = join(dir, `nfqueue-delay-${hash}`);
    if (existsSync(bin)) return bin;
    makeDirs(dir);
    // Concurrent builders each write their own temp file; the rename is atomic, the last one wins harmlessly.
    const tmp = `${bin}.${process.pid}.tmp`;
    const flagSets = [['-lnetfilter_queue', '-lnfnetlink', '-lmnl'], ['-lnetfilter_queue', '-lnfnetlink'], ['-lnetfilter_queue']];
    let lastError = '';
    for (const flags of flagSets) {
      try {
        await run('gcc', ['-O2', '-o', tmp, src, ...flags]);
        renameSync(tmp, bin);
        return bin;
      } catch (e) {
        const err = e as NodeJS.ErrnoException & { stderr?: string };
        if (err.code === 'ENOENT') throw envError(`delay fault needs gcc to build its helper: ${INSTALL_HINT}`);
        lastError = (err.stderr ?? err.message).split('\n').find((l) => l.includes('error')) ?? err.message;
      }
    }
    rmSync(tmp, { force: true });
    throw envError(`cannot build nfqueue-delay (${lastError.trim()}): ${INSTALL_HINT}`);
  })();
  built.catch(() => {
    built = undefined;
  });
  return built;
}

export interface DelayHelper {
  child: ChildProcess;
  pid: number;
}

/**
 * Starts the helper in `netns` on `queue`, passed to `record` (the run registry) as soon as its pid exists, and
 * resolves once it has bound the queue (it prints "ready").
 */
export async function startDelayHelper(
  record: (r: Resource) => void,
  runId: string,
  netns: string,
  queue: number,
  delayMs: number,
  jitterMs: number,
  seed: number,
): Promise<DelayHelper> {
  const bin = await buildDelayHelper();
  const child = spawn('ip', ['netns', 'exec', netns, bin, String(queue), String(delayMs), String(jitterMs), String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: markedEnv(runId),
  });
  const pid = child.pid;
  if (pid === undefined) throw envError('cannot start nfqueue-delay: spawn failed');
  // `ip netns exec` execs the helper in place, so this pid (and its start time) is the helper's.
  record({ kind: 'process', pid, startTime: processStartTime(pid) ?? '', what: `nfqueue-delay in ${netns}` });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nfqueue-delay in ${netns} did not start within 5 s: ${stderr.trim()}`)), 5000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nfqueue-delay in ${netns} exited (${code}): ${stderr.trim()}`));
    });
  });
  child.removeAllListeners('exit');
  return { child, pid };
}

/** Stops a helper; it releases the packets it still holds before exiting. */
export async function stopDelayHelper(helper: DelayHelper): Promise<void> {
  if (helper.child.exitCode === null && helper.child.signalCode === null) {
    const exited = new Promise<void>((r) => helper.child.once('exit', () => r()));
    helper.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 1000));
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      helper.child.kill('SIGKILL');
      await exited;
    }
  }
}
