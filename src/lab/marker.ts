// Every process a lab starts carries its run id in its environment. The registry records each pid right after
// the fork, but a SIGKILL can land between the fork and that write; the marker lets a sweep still find the
// process, by pid, and be sure it is one of ours.
import { readdirSync, readFileSync } from 'node:fs';
import { processStartTime } from './registry.js';

export const RUN_ENV = 'FAULTLINE_RUN';

/** The environment for a process a lab starts on behalf of `runId`. */
export function markedEnv(runId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, [RUN_ENV]: runId };
}

export interface MarkedProcess {
  pid: number;
  startTime: string;
  runId: string;
}

/**
 * Processes whose initial environment names a run (all of them, or one run's). Processes of other users that
 * we may not read are skipped: they cannot be ours.
 */
export function markedProcesses(runId?: string): MarkedProcess[] {
  const out: MarkedProcess[] = [];
  const prefix = `${RUN_ENV}=`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const id = env.split('\0').find((v) => v.startsWith(prefix))?.slice(prefix.length);
    if (id === undefined) continue;
    if (runId !== undefined && id !== runId) continue;
    const startTime = processStartTime(pid);
    if (startTime !== undefined) out.push({ pid, startTime, runId: id });
  }
  return out;
}
