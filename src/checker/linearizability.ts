// The search for one partition: Wing & Gong / Lowe just-in-time linearization with a configuration cache.
import { getHeapStatistics } from 'node:v8';
import type { AnyModel, Operation } from '../model/model.js';
import { powerset } from '../model/powerset.js';
import { bitClear, bitHas, bitSet, bitsetWords } from './bitset.js';
import { ConfigCache } from './cache.js';
import { buildEntries, lift, unlift } from './entries.js';
import { describePrefix, describeStuck } from './evidence.js';
import { DEAD, LIVE, PRUNE, preparePins } from './pins.js';
import type { EvidenceLevel, PartitionResult, UnknownReason } from './result.js';
import { ILLEGAL, StateTable } from './states.js';

export interface SearchLimits {
  /** `Date.now()` after which the search gives up; Infinity for none. Wall clock, so it crosses threads. */
  deadline: number;
  /** Budget for this thread's heap plus the search's tables, in bytes. */
  maxBytes: number;
  /** Shared flag; nonzero = stop now (another partition already decided the verdict). */
  cancel?: Int32Array;
  evidence: EvidenceLevel;
}

/** How often (loop iterations, power of two minus one) the search looks at the clock, the flag and memory. */
const CHECK_MASK = 0xfff;
const HEAP_MASK = 0x3ffff;

/**
 * Decides whether `ops` (one partition, in invocation order) is linearizable with respect to `model`.
 *
 * The search keeps the ops' call and return entries in one list in real-time order. Walking it from the
 * head, any call met before the first return is a candidate to take effect next; taking one (if the model
 * allows it and the resulting configuration is new) lifts its entries out of the list and restarts from
 * the head. Meeting a return means that op should have taken effect already, so the last choice is undone.
 * A configuration is the set of ops taken plus the model state; two paths reaching the same one have the
 * same future, so each is explored once (the cache). This is Porcupine's algorithm, plus three prunings
 * that never change the verdict:
 *  - unknown-outcome ops have no return entry: they may take effect at any time after the call or never,
 *    so nothing forces them in, and taking one that leaves the state unchanged is pointless;
 *  - identical unknown-outcome ops are interchangeable, so the later one is only taken after the earlier;
 *  - model pins (see pins.ts): a branch dies as soon as its state can no longer reach what a pending read saw.
 */
export function checkPartition(modelIn: AnyModel, ops: readonly Operation[], key: string | null, limits: SearchLimits): PartitionResult {
  const t0 = performance.now();
  const model = modelIn.nondeterministic ? (powerset(modelIn) as AnyModel) : modelIn;
  const n = ops.length;
  const call = new Float64Array(n);
  const ret = new Float64Array(n);
  const hasRet = new Uint8Array(n);
  const inputs: unknown[] = new Array(n);
  const outputs: unknown[] = new Array(n);
  let finiteLeft = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    call[i] = op.call;
    ret[i] = op.ret;
    inputs[i] = op.input;
    outputs[i] = op.output;
    if (op.ret !== Infinity) {
      hasRet[i] = 1;
      finiteLeft++;
    }
  }
  const list = buildEntries(call, ret);
  const { next, head } = list;
  const table = new StateTable(model, inputs, outputs);
  const words = bitsetWords(n);
  const lin = new Uint32Array(words);
  const cache = new ConfigCache(words);
  const opHash = randomHashes(n);
  const twin = twins(model, ops);
  const blind = new Uint8Array(n);
  if (model.blind) for (let i = 0; i < n; i++) blind[i] = model.blind(inputs[i], outputs[i]) ? 1 : 0;
  const pins = preparePins(model, ops, table);
  const dead = pins !== null ? pins.dead : -1;

  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n); // state before the op
  const bestOp = new Int32Array(n);
  const bestState = new Int32Array(n); // state after the op
  let bestDepth = 0;
  let same = 0; // best[0..same) still equals the stack
  let depth = 0;
  let state = table.intern(model.init());
  const initState = state;
  let linHash = 0;
  let iter = 0;
  let heapUsed = getHeapStatistics().used_heap_size;
  let verdict: true | false | undefined;
  let reason: UnknownReason | undefined;

  let e = next[head];
  for (;;) {
    if ((++iter & CHECK_MASK) === 0) {
      if (limits.cancel !== undefined && Atomics.load(limits.cancel, 0) !== 0) {
        reason = 'cancelled';
        break;
      }
      if (Date.now() > limits.deadline) {
        reason = 'timeout';
        break;
      }
      if ((iter & HEAP_MASK) === 0) heapUsed = getHeapStatistics().used_heap_size;
      if (heapUsed + cache.bytes() + table.bytes() > limits.maxBytes) {
        reason = 'memory';
        break;
      }
    }
    if (finiteLeft === 0) {
      verdict = true;
      break;
    }
    if ((e & 1) === 0) {
      // A call: try to let this op take effect now.
      const op = e >> 1;
      const tw = twin[op];
      if (tw >= 0 && !bitHas(lin, tw)) {
        e = next[e];
        continue;
      }
      // An unknown-outcome op followed at once by a blind op (a write) had no visible effect: the same
      // linearization without it is explored elsewhere, with the op still available.
      const restricted = depth > 0 && hasRet[stackOp[depth - 1]] === 0;
      if (restricted && blind[op] === 1) {
        e = next[e];
        continue;
      }
      let s2: number;
      // A dead state stays dead under non-resets, and no pinned op can be placed in it (see pins.ts).
      if (state === dead && !pins!.isReset(op)) s2 = pins!.isPinned(op) ? ILLEGAL : dead;
      else s2 = table.step(state, op);
      if (s2 === ILLEGAL || (s2 === state && hasRet[op] === 0)) {
        e = next[e];
        continue;
      }
      bitSet(lin, op);
      if (pins !== null) {
        pins.take(op);
        // Nothing new to judge when the state did not move and no reset was spent (unless dead states
        // exist: taking a read may be what leaves the state unobservable).
        const verdict = s2 !== state || dead >= 0 || pins.isReset(op) ? pins.judge(s2, op, list) : LIVE;
        if (verdict === DEAD) s2 = dead;
        if (verdict === PRUNE || (s2 === state && hasRet[op] === 0)) {
          bitClear(lin, op);
          pins.untake(op);
          e = next[e];
          continue;
        }
      }
      const h = linHash ^ opHash[op];
      // A configuration reached by taking an unknown-outcome op is restricted (see above): it may only be
      // skipped if seen before at all, while an unrestricted one only if seen unrestricted.
      const flagged = 2 * s2 + (hasRet[op] ^ 1);
      if ((flagged & 1) === 1 && cache.has(configKey(h, flagged - 1), flagged - 1, lin)) {
        bitClear(lin, op);
        if (pins !== null) pins.untake(op);
        e = next[e];
        continue;
      }
      if (!cache.add(configKey(h, flagged), flagged, lin)) {
        bitClear(lin, op);
        if (pins !== null) pins.untake(op);
        e = next[e];
        continue;
      }
      stackOp[depth] = op;
      stackState[depth] = state;
      depth++;
      state = s2;
      linHash = h;
      lift(list, op, hasRet[op] === 1);
      finiteLeft -= hasRet[op];
      if (depth > bestDepth && limits.evidence !== 'none') {
        // Copy only what changed since the last record: amortized O(1) per step even on long histories.
        for (let d = same; d < depth; d++) {
          bestOp[d] = stackOp[d];
          bestState[d] = d + 1 < depth ? stackState[d + 1] : state;
        }
        bestDepth = depth;
        same = depth;
      }
      e = next[head];
    } else {
      // A return: its op should have taken effect by now. Undo the last choice and try the next one.
      if (depth === 0) {
        verdict = false;
        break;
      }
      depth--;
      if (depth < same) same = depth;
      const op = stackOp[depth];
      state = stackState[depth];
      bitClear(lin, op);
      if (pins !== null) pins.untake(op);
      linHash ^= opHash[op];
      unlift(list, op, hasRet[op] === 1);
      finiteLeft += hasRet[op];
      e = next[2 * op];
    }
  }

  const result: PartitionResult = { key, valid: verdict ?? 'unknown', ops: n, ms: 0, visited: cache.size };
  if (reason) result.reason = reason;
  if (verdict === true) {
    if (limits.evidence === 'full') {
      const after = new Int32Array(depth);
      for (let d = 0; d < depth; d++) after[d] = d + 1 < depth ? stackState[d + 1] : state;
      result.linearized = describePrefix(model, ops, table, stackOp, after, depth);
    }
  } else if (limits.evidence !== 'none') {
    result.linearized = describePrefix(model, ops, table, bestOp, bestState, bestDepth);
    const last = bestDepth > 0 ? bestState[bestDepth - 1] : initState;
    result.stuck = describeStuck(model, ops, table, bestOp, bestDepth, last);
  }
  result.ms = performance.now() - t0;
  return result;
}

function configKey(linHash: number, flaggedState: number): number {
  return (linHash ^ Math.imul(flaggedState + 1, 0x9e3779b1)) | 0;
}

/** Random 32-bit words per op; a set's hash is the xor of its members', updated in O(1) per step. */
function randomHashes(n: number): Int32Array {
  const out = new Int32Array(n);
  let x = 0x2545f491; // fixed seed: the same history is always searched the same way
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/**
 * For each unknown-outcome op, the previous unknown-outcome op with the same input (or -1). Both may take
 * effect at any point after their calls and neither ever returns, so from the later call on they are
 * indistinguishable: any linearization using the later one alone can use the earlier one instead.
 */
function twins(model: AnyModel, ops: readonly Operation[]): Int32Array {
  const out = new Int32Array(ops.length).fill(-1);
  const last = new Map<string, number>();
  const keyOf = model.inputKey ? (i: unknown) => model.inputKey!(i) : (i: unknown) => JSON.stringify(i);
  const byCall = ops.map((_, i) => i).sort((a, b) => ops[a].call - ops[b].call);
  for (const i of byCall) {
    if (ops[i].ret !== Infinity) continue;
    const k = keyOf(ops[i].input);
    const prev = last.get(k);
    if (prev !== undefined) out[i] = prev;
    last.set(k, i);
  }
  return out;
}
