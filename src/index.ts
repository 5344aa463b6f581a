// faultline's public library API: the linearizability checker, its models, and history I/O.
export { check, checkOperations, checkSync, closeWorkers, prepare, toOperations, checkPartition, combine } from './checker/index.js';
export type { CheckInputOptions, CheckOptions, CheckResult, EvidenceLevel, LinearizedStep, PartitionResult, SearchLimits, Stuck, UnknownReason, Verdict, Where } from './checker/index.js';
export { casRegister, type RegisterInput, type RegisterModel, type RegisterOutput } from './model/cas-register.js';
export { keyed } from './model/keyed.js';
export { kv, type KvInput, type KvModel, type KvOutput } from './model/kv.js';
export { ModelInputError, partitionByKey, type AnyModel, type Model, type ModelSpec, type Operation } from './model/model.js';
export { powerset } from './model/powerset.js';
export { register } from './model/register.js';
export { createModel, MODEL_NAMES } from './model/registry.js';
export { loadHistory, type Loaded } from './history/import/load.js';
export { detectFormat, FORMATS, type Format } from './history/import/detect.js';
export { parseJepsenEdn } from './history/import/jepsen-edn.js';
export { parsePorcupineEtcd } from './history/import/porcupine-etcd.js';
export { parsePorcupineKv } from './history/import/porcupine-kv.js';
export { readHistory, streamHistory, parseHistoryLine } from './history/reader.js';
export { HistoryWriter, type HistoryWriterOptions, type NewOp } from './history/writer.js';
export { isNemesisOp, NEMESIS, type Json, type Op, type OpType, type ProcessId } from './history/op.js';
export { EXIT, FaultlineError } from './util/errors.js';
