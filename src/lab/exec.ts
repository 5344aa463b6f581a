// Small process and port helpers shared by the labs: run a command and collect its output, find free ports.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createServer } from 'node:net';
/** How a short command ended on a node or here. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a command to completion; a non-zero exit is returned, not thrown (callers decide what it means). */
export function runCommand(
  command: string,
  args: string[],
  options: { uid?: number; gid?: number; input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { uid: options.uid, gid: options.gid, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
        resolve({ stdout: String(stdout), stderr: String(stderr) || (err && code === 127 ? err.message : ''), exitCode: code });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like runCommand but throws with the command's stderr when it fails. */
export async function mustRun(command: string, args: string[], input?: string): Promise<string> {
  const r = await runCommand(command, args, { input });
  if (r.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.exitCode}): ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free TCP ports on `host`, probed by binding. They are drawn at random below the
 * kernel's ephemeral range (32768+), so outgoing connections of other processes cannot take them between
 * the probe and the node's own bind; random draws keep parallel test files from picking the same ones.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const out: number[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > count * 200) throw new Error(`could not find ${count} free ports on ${host}`);
    const p = 20000 + Math.floor(Math.random() * 12000);
    if (out.includes(p)) continue;
    if (await portIsFree(p, host)) out.push(p);
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An executable regular file. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where `name` is on PATH, as the shell would find it; undefined when it is not installed. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The Debian packages of the tools the network faults of the local labs need, by missing command. */
const NET_TOOLS: Record<string, string> = { ip: 'iproute2', iptables: 'iptables', 'iptables-restore': 'iptables' };

/** Network tools missing here, as the install line that brings them (undefined when all are present). */
export function missingNetTools(): string | undefined {
  const missing = [...new Set(Object.keys(NET_TOOLS).filter((t) => !onPath(t)).map((t) => NET_TOOLS[t]!))];
  return missing.length ? `apt-get install ${missing.join(' ')}` : undefined;
}
