// Where this user's lab records live, and how a process is told apart from a later one that reused its pid.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../util/dirs.js';

export function ledgerDir(): string {
  const dir = process.getuid?.() === 0 ? '/run/faultline' : join(tmpdir(), `faultline-${process.getuid?.() ?? 'u'}`);
  makeDirs(dir);
  return dir;
}

/** Kernel start time of a pid (field 22 of /proc/pid/stat), or undefined when the pid is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/**
 * The process that had this start time still runs. A zombie counts as dead: it has released everything
 * (ports, files, ptrace) and only waits for its parent's wait() — orphans of a crashed harness are reaped by
 * pid 1, which can take seconds here.
 */
export function isAlive(pid: number, startTime: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[0] !== 'Z' && rest[19] === startTime;
  } catch {
    return false;
  }
}

/** The shared-memory files libfaketime creates for a process, named by its pid (and left behind by a SIGKILL). */
export const shmFiles = (pid: number): string[] => [`/dev/shm/faketime_shm_${pid}`, `/dev/shm/sem.faketime_sem_${pid}`];

/**
 * libfaketime's shared-memory files that this very process created: named by its own pid and mapped by it
 * (a child that inherited FAKETIME_SHARED maps its parent's, named by the parent's pid). A SIGKILL leaves
 * them in /dev/shm, so whoever kills the process removes them; nothing of another process is ever named.
 */
export function faketimeFilesOf(pid: number): string[] {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return [];
  }
  const own = new Set(shmFiles(pid));
  const found = new Set<string>();
  // "address perms offset dev inode path": the path is the sixth field and may be absent.
  for (const line of maps.split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ');
    if (own.has(path)) found.add(path);
  }
  return [...found];
}
