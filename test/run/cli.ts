// Test helper: runs the built CLI (dist/) as a child process and collects its output and exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Op } from '../../src/history/op.js';
import type { EvidenceFile } from '../../src/report/evidence-view.js';
import type { ResultsFile } from '../../src/report/results.js';
import { RUN_FILES } from '../../src/results/layout.js';
import { clockDir } from '../../src/system/faketime.js';

export const MAIN = resolve('dist/src/cli/main.js');

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startCli(args: string[], env?: NodeJS.ProcessEnv): CliRun {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((r) =>
    child.on('close', (code, signal) => r({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function cli(args: string[], env?: NodeJS.ProcessEnv): CliRun['done'] {
  return startCli(args, env).done;
}

/** Stops a CLI child we started, if it is still running (test cleanup on failure). */
export function killCli(run: CliRun | undefined): void {
  if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
}

/** What a run left on the machine, by its run id: namespaces, links, iptables chains, processes, clock files. */
export function leftovers(runId: string): string[] {
  const out: string[] = [];
  const sh = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' });
    } catch {
      return '';
    }
  };
  for (const line of sh('ip', ['netns', 'list']).split('\n')) if (line.includes(runId)) out.push(`netns ${line}`);
  for (const line of sh('ip', ['-o', 'link']).split('\n')) if (line.includes(runId)) out.push(`link ${line}`);
  for (const line of sh('iptables-save', []).split('\n')) if (line.includes(runId)) out.push(`iptables ${line}`);
  for (const line of sh('pgrep', ['-a', 'etcd']).split('\n')) if (line.includes(runId)) out.push(`process ${line}`);
  const clock = clockDir(runId);
  if (existsSync(clock)) out.push(`clock ${clock}`);
  const reg = ['/run/faultline', `${process.env['TMPDIR'] ?? '/tmp'}/faultline-0`].map((d) => join(d, `${runId}.json`));
  for (const f of reg) if (existsSync(f)) out.push(`registry ${f}`);
  return out;
}

export function readLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** A finished run's results.json, evidence.json and history, as the tests read them. */
export function readRun(runDir: string): { results: ResultsFile; evidence: EvidenceFile; history: Op[] } {
  return {
    results: JSON.parse(readFileSync(join(runDir, RUN_FILES.results), 'utf8')) as ResultsFile,
    evidence: JSON.parse(readFileSync(join(runDir, RUN_FILES.evidence), 'utf8')) as EvidenceFile,
    history: readLines<Op>(join(runDir, RUN_FILES.history)),
  };
}
