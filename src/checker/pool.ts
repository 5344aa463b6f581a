// A small pool of worker threads that search partitions in parallel (one task per worker at a time).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PartitionResult } from './result.js';
import type { ResultMessage, TaskMessage } from './worker.js';
import { optimizeNow } from './tier-up.js';

/** A task the pool could not run to completion because its worker died (out of memory, most likely). */
export class WorkerDied extends Error {
  override name = 'WorkerDied';
}

interface Job {
  /** Builds the message when a worker is free, so packing overlaps with searching. */
  task: () => Omit<TaskMessage, 'id'>;
  /** Asked just before the task starts: true = skip it (the verdict is already known). */
  skip: () => boolean;
  resolve: (r: PartitionResult | null) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** The worker has loaded its modules: a task sent now starts at once. */
  ready: boolean;
}

// From compiled JS the worker is the sibling worker.js. Under vitest the modules are TypeScript, which
// plain Node cannot load, so a tiny eval'd shim registers tsx (a devDependency) first, then imports it.
const SELF = import.meta.url;
const FROM_SOURCE = SELF.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './worker.ts' : './worker.js', SELF);
const SHIM = `
const { workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import(workerData.tsx);
  register();
  await import(workerData.url);
})().catch((e) => { console.error(e); process.exit(1); });
`;

function tsxApiUrl(): string {
  const require = createRequire(SELF);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
}

export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private markReady!: () => void;
  /**
   * Resolves when a worker can take a task. Callers that time their tasks wait for it before taking
   * work, so a worker's start-up (tens of ms of module loading) is not counted as some history's time.
   */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  /**
   * `maxOldMb`: each worker's V8 heap limit, a little above the search's own cap so the cap trips first.
   * The workers start at once, so they load while the caller goes on working.
   */
  constructor(
    readonly size: number,
    readonly maxOldMb: number,
  ) {
    // Workers start only for long work, which optimized code pays for.
    optimizeNow();
    for (let i = 0; i < size; i++) this.spawn();
  }

  run(task: () => Omit<TaskMessage, 'id'>, skip: () => boolean = () => false): Promise<PartitionResult | null> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, skip, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null && s.ready);
      if (!slot) {
        // A worker that died is replaced; one still loading will call pump when ready.
        if (this.slots.length >= this.size) return;
        this.spawn();
        return;
      }
      const job = this.queue.shift()!;
      if (job.skip()) {
        job.resolve(null);
        continue;
      }
      slot.job = job;
      slot.worker.ref();
      const task = job.task();
      // The packed numbers are transferred (moved), not copied.
      slot.worker.postMessage({ ...task, id: this.nextId++ } satisfies TaskMessage, [task.ops.num.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    // execArgv: [] so flags of the parent (--input-type, --cpu-prof, ...) do not break or burden workers.
    const options = { resourceLimits: { maxOldGenerationSizeMb: this.maxOldMb }, execArgv: [] };
    const worker = FROM_SOURCE
      ? new Worker(SHIM, { ...options, eval: true, workerData: { url: WORKER_URL.href, tsx: tsxApiUrl() } })
      : new Worker(WORKER_URL, options);
    const slot: Slot = { worker, job: null, ready: false };
    worker.on('message', (m: ResultMessage) => {
      if (m.ready) {
        slot.ready = true;
        this.markReady();
        this.pump();
        return;
      }
      const job = slot.job;
      slot.job = null;
      // An idle worker must not keep the process alive.
      worker.unref();
      if (job) {
        if (m.result) job.resolve(m.result);
        else job.reject(new Error(`checker worker failed: ${m.error}`));
      }
      this.pump();
    });
    const died = (error: Error): void => {
      this.slots = this.slots.filter((s) => s !== slot);
      const job = slot.job;
      slot.job = null;
      if (job) job.reject(error);
      if (!this.closed) this.pump();
    };
    // Running out of its heap is an expected end (the partition is `unknown`); anything else is a bug.
    worker.on('error', (e: Error & { code?: string }) => died(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerDied(e.message) : new Error(`checker worker failed: ${e.message}`)));
    worker.on('exit', (code) => died(new Error(`checker worker exited with code ${code}`)));
    // Loading must not keep the process alive either (a check may end before a worker is needed). After
    // the listeners: attaching a 'message' listener refs the worker's port again.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
