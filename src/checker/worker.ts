// Worker-thread side of the pool: rebuilds the model by name and searches the partitions it is sent.
import { parentPort } from 'node:worker_threads';
import type { AnyModel, ModelSpec } from '../model/model.js';
import { createModel } from '../model/registry.js';
import { checkPartition, copyLimits, type SearchLimits } from './linearizability.js';
import type { PartitionResult } from './result.js';
import { unpackOps, type PackedOps } from './transfer.js';

export interface TaskMessage {
  id: number;
  model: ModelSpec;
  key: string | null;
  ops: PackedOps;
  /** Without its cancel flag: that is `cancel`, shared. */
  limits: SearchLimits;
  cancel: SharedArrayBuffer;
}

export interface ResultMessage {
  /** Sent once, when the worker has loaded and can take tasks (then without id or result). */
  ready?: true;
  id: number;
  result?: PartitionResult;
  error?: string;
}

// Models are rebuilt once per spec: a kv model is cheap, but a pool serves many partitions of one check.
const models = new Map<string, AnyModel>();

parentPort?.on('message', (task: TaskMessage) => {
  let reply: ResultMessage;
  try {
    const specKey = JSON.stringify(task.model);
    let model = models.get(specKey);
    if (!model) models.set(specKey, (model = createModel(task.model)));
    const limits = copyLimits(task.limits);
    limits.cancel = new Int32Array(task.cancel);
    const result = checkPartition(model, unpackOps(task.ops), task.key, limits);
    reply = { id: task.id, result };
  } catch (e) {
    reply = { id: task.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort?.postMessage({ ready: true, id: -1 } satisfies ResultMessage);
