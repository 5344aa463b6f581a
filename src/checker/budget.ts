// The checker's limits: how the memory budget is shared between threads, and deadlines.
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { copyLimits, type SearchLimits } from './linearizability.js';
import type { CheckOptions } from './result.js';

const MB = 1024 * 1024;
const DEFAULT_BUDGET_MB = Math.min(4096, Math.floor(totalmem() / MB / 2));
const HEAP_LIMIT = getHeapStatistics().heap_size_limit;

export function budgetBytes(options: CheckOptions): number {
  return (options.maxMemoryMb ?? DEFAULT_BUDGET_MB) * MB;
}

/** This thread's V8 heap limit bounds what it can use, whatever the budget says. */
export function localBytes(options: CheckOptions): number {
  return Math.min(budgetBytes(options), HEAP_LIMIT * 0.9);
}

/**
 * One thread's share of the memory budget when `threads` threads search at once. Every search, in this
 * thread or a worker, is capped at its share, so the sum stays within the budget whatever runs at once.
 */
export function poolBytes(options: CheckOptions, threads: number): number {
  return budgetBytes(options) / threads;
}

/** A worker's V8 heap limit: a little headroom above its share, so the search's own cap trips first. */
export function workerHeapMb(options: CheckOptions, threads: number): number {
  return Math.ceil(poolBytes(options, threads) / MB) + 256;
}

export function deadlineOf(options: CheckOptions): number {
  return options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
}

/** A search's limits from the check's options; no cancel flag yet (each history has its own). */
export function baseLimits(options: CheckOptions, deadline: number, maxBytes: number): SearchLimits {
  return copyLimits({ deadline, maxBytes, evidence: options.evidence ?? 'failures', order: options.order, raceAfterMs: options.raceAfterMs });
}
