// Every process a lab starts carries its run id in its environment. The registry records each pid right after
// the fork, but a SIGKILL can land between the fork and that write; the marker lets a sweep still find the
// process, by pid, and be sure it is one of ours.
import { readdirSync, readFileSync } from 'node:fs';
import { processStartTime, ledgerDir } from './proc.js';

export const RUN_ENV = 'FAULTLINE_RUN';
/** Which registry the run is written in: root's sweep must not take another user's live run for an orphan. */
export const REGISTRY_ENV = 'FAULTLINE_REGISTRY';

/** The environment for a process a lab starts on behalf of `runId`. */
export function markedEnv(runId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, [RUN_ENV]: runId, [REGISTRY_ENV]: ledgerDir() };
}

export interface MarkedProcess {
  pid: number;
  startTime: string;
  runId: string;
}

/**
 * Processes whose initial environment names a run of this registry (all of them, or one run's). Processes of
 * other users that we may not read are skipped: they cannot be ours.
 */
export function markedProcesses(runId?: string): MarkedProcess[] {
  const out: MarkedProcess[] = [];
  const prefix = `${RUN_ENV}=`;
  const registry = `${REGISTRY_ENV}=${ledgerDir()}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    // The start time is read on both sides of the environment: a pid reused in between is skipped, never
    // recorded with the new process's identity.
    const startTime = processStartTime(pid);
    if (startTime === undefined) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = env.split('\0');
    const id = vars.find((v) => v.startsWith(prefix))?.slice(prefix.length);
    if (id === undefined || !vars.includes(registry)) continue;
    if (runId !== undefined && id !== runId) continue;
    if (processStartTime(pid) === startTime) out.push({ pid, startTime, runId: id });
  }
  return out;
}
