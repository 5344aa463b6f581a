// Workloads by name: a new workload is one file plus one line here.
import { kvWorkload } from './kv.js';
import { listAppendWorkload } from './list-append.js';
import { registerWorkload } from './register.js';
import { setWorkload } from './set.js';
import { watchWorkload } from './watch.js';
import type { Workload } from './workload.js';

const WORKLOADS: Record<string, (o: { valueRange?: number }) => Workload> = {
  register: registerWorkload,
  kv: kvWorkload,
  'list-append': listAppendWorkload,
  set: setWorkload,
  watch: watchWorkload,
};

export const WORKLOAD_NAMES = Object.keys(WORKLOADS);

export function createWorkload(name: string, options: { valueRange?: number } = {}): Workload | undefined {
  return WORKLOADS[name]?.(options);
}
