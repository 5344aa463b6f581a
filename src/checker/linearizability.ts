// The search for one partition: Wing & Gong / Lowe just-in-time linearization with a configuration cache.
import { getHeapStatistics } from 'node:v8';
import type { AnyModel, Operation } from '../model/model.js';
import { powerset } from '../model/powerset.js';
import { Arena } from './arena.js';
import { bitClear, bitHas, bitSet, bitsetWords } from './bitset.js';
import { ConfigCache } from './cache.js';
import { buildEntries, lift, unlift, type EntryList } from './entries.js';
import { describePrefix, describeStuck } from './evidence.js';
import { DEAD, LIVE, PRUNE, preparePins, type Pins } from './pins.js';
import type { EvidenceLevel, PartitionResult, SearchOrder, UnknownReason } from './result.js';
import { ILLEGAL, StateTable } from './states.js';
import { optimizeNow } from './tier-up.js';

export interface SearchLimits {
  /** `Date.now()` after which the search gives up; Infinity for none. Wall clock, so it crosses threads. */
  deadline: number;
  /** Budget for this thread's heap plus the search's tables, in bytes. */
  maxBytes: number;
  /** Shared flag; nonzero = stop now (another partition already decided the verdict). */
  cancel?: Int32Array;
  evidence: EvidenceLevel;
  /** Which candidates are tried first; see SearchOrder. Default 'completed-first'. */
  order?: SearchOrder;
  /** Search time after which the other order joins (PartitionJob); default RACE_AFTER_MS, Infinity: never. */
  raceAfterMs?: number;
}

/**
 * A copy of `l`, the one way limits are built: every field present, in one order. Object spread gave each
 * caller's copy a shape of its own, and in a small check's set-up the spreads cost more than the search
 * (session and lane copies of h011 of the cas set, four 10-op partitions: profiled).
 */
export function copyLimits(l: SearchLimits): SearchLimits {
  const copy: EveryField<SearchLimits> = { deadline: l.deadline, maxBytes: l.maxBytes, cancel: l.cancel, evidence: l.evidence, order: l.order, raceAfterMs: l.raceAfterMs };
  return copy;
}

/** `T` with its optional fields required too: a field added to SearchLimits and left out of copyLimits does not compile. */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

/** How often (loop iterations, power of two minus one) the search looks at the clock, the flag and memory. */
const CHECK_MASK = 0xfff;
const HEAP_MASK = 0x3ffff;
/** A search this many iterations long is hard: optimized code pays for its compile (tier-up.ts). */
const HARD_MASK = 0xffff;

/**
 * Decides whether `ops` (one partition) is linearizable with respect to `model`.
 *
 * The search keeps the ops' call and return entries in one list in real-time order. Walking it from the
 * head, any call met before the first return is a candidate to take effect next; taking one (if the model
 * allows it and the resulting configuration is new) lifts its entries out of the list and restarts from
 * the head. Meeting a return means that op should have taken effect already, so the last choice is undone.
 * A configuration is the set of ops taken plus the model state; two paths reaching the same one have the
 * same future, so each is explored once (the cache). This is Porcupine's algorithm, plus prunings that
 * never change the verdict:
 *  - unknown-outcome ops have no return entry: they may take effect at any time after the call or never,
 *    so nothing forces them in, and taking one that leaves the state unchanged is pointless;
 *  - identical unknown-outcome ops are interchangeable, so the later one is only taken after the earlier;
 *  - an unknown-outcome op immediately followed by a blind op (a write) could as well not have happened;
 *  - model pins (pins.ts): a branch dies as soon as its state can no longer reach what a pending read
 *    saw, and states nothing pending can observe are merged into one;
 *  - a completed read-only op (`model.readOnly`) that is legal now is taken first and alone: it can be
 *    moved here from anywhere later in a linearization, so if the configuration with it fails, the one
 *    without it fails too, and no other candidate needs trying. This is what keeps many concurrent reads
 *    and failed cas from multiplying the configurations.
 */
export function checkPartition(model: AnyModel, ops: readonly Operation[], key: string | null, limits: SearchLimits): PartitionResult {
  const job = new PartitionJob(model, ops, key, limits);
  while (!job.run(Infinity));
  return job.result();
}

/** A partition undecided after this much search time is searched in the other order too, alternately. */
const RACE_AFTER_MS = 250;
/** Each order's turn while both run. */
const TURN_MS = 25;

/** One search order's state within a PartitionJob. */
interface Lane {
  s: Search;
  /** Its own copy of the limits: its order, and its share of the memory cap. */
  limits: SearchLimits;
  outcome: boolean | UnknownReason | 'paused';
  ms: number;
}

/**
 * A partition's search that can be run in slices, so the thread running it can also feed worker threads
 * between slices. `run(until)` returns true once the search has ended (decided, or given up). It starts in
 * `limits.order`; past RACE_AFTER_MS it adds the other order and gives each a turn, with half the memory cap
 * each, until one decides (both are complete, so either's verdict is the verdict).
 */
export class PartitionJob {
  private readonly model: AnyModel;
  private readonly lanes: Lane[] = [];
  private turn = 0;
  private prepMs = 0;

  constructor(
    model: AnyModel,
    private readonly ops: readonly Operation[],
    private readonly key: string | null,
    private readonly limits: SearchLimits,
  ) {
    const t0 = performance.now();
    this.model = model.nondeterministic ? (powerset(model) as AnyModel) : model;
    const own = copyLimits(limits);
    own.order = limits.order ?? 'completed-first';
    this.lanes.push({ s: prepare(this.model, ops, limits.evidence !== 'none'), limits: own, outcome: 'paused', ms: 0 });
    this.prepMs = performance.now() - t0;
    if (limits.raceAfterMs === 0 && ops.length > 1) this.addOtherOrder();
  }

  /** Searches until done or until `Date.now()` passes `until`. */
  run(until: number): boolean {
    for (;;) {
      if (this.lanes.some((l) => l.outcome === true || l.outcome === false)) return true;
      const live = this.lanes.filter((l) => l.outcome === 'paused');
      if (live.length === 0) return true;
      // One lane that may still be joined by the other order runs until the race would start.
      const waiting = this.lanes.length === 1 && this.ops.length > 1 ? (this.limits.raceAfterMs ?? RACE_AFTER_MS) - this.lanes[0].ms : Infinity;
      if (waiting <= 0) this.addOtherOrder();
      const lane = live.length === 1 ? live[0] : live[this.turn++ % live.length];
      const t0 = performance.now();
      lane.outcome = search(lane.s, lane.limits, Math.min(until, Date.now() + (this.lanes.length > 1 ? TURN_MS : waiting)));
      lane.ms += performance.now() - t0;
      // A lane that stopped only for its turn goes on unless the caller's slice is over.
      if (lane.outcome === 'paused' && Date.now() > until) return false;
      // A lane out of memory leaves its share to the other.
      if (lane.outcome === 'memory' && this.lanes.length > 1) for (const l of this.lanes) if (l !== lane) l.limits.maxBytes = this.limits.maxBytes;
    }
  }

  private addOtherOrder(): void {
    const t0 = performance.now();
    const order: SearchOrder = this.lanes[0].limits.order === 'call-order' ? 'completed-first' : 'call-order';
    const half = this.limits.maxBytes / 2;
    this.lanes[0].limits.maxBytes = half;
    const own = copyLimits(this.limits);
    own.order = order;
    own.maxBytes = half;
    this.lanes.push({ s: prepare(this.model, this.ops, this.limits.evidence !== 'none'), limits: own, outcome: 'paused', ms: 0 });
    this.prepMs += performance.now() - t0;
  }

  /** The lane whose outcome is the partition's: the one that decided, else the first that gave up for a reason. */
  private get winner(): Lane {
    return this.lanes.find((l) => l.outcome === true || l.outcome === false) ?? this.lanes.find((l) => l.outcome !== 'paused' && l.outcome !== 'cancelled') ?? this.lanes[0];
  }

  private get s(): Search {
    return this.winner.s;
  }

  private deeperEvidence(): EvidenceSource {
    const s = this.s;
    if (s.pins === null) return s;
    const plain = prepare(this.model, this.ops, true, false);
    const until = Math.min(Date.now() + EVIDENCE_BUDGET_MS, this.limits.deadline);
    const limits = copyLimits(this.limits);
    limits.deadline = until;
    search(plain, limits, until);
    return plain.bestDepth > s.bestDepth ? plain : s;
  }

  result(): PartitionResult {
    const { s, model, ops, limits } = this;
    const t0 = performance.now();
    const lane = this.winner;
    const outcome = lane.outcome === 'paused' ? 'cancelled' : lane.outcome;
    const verdict = outcome === true || outcome === false ? outcome : 'unknown';
    const result: PartitionResult = { key: this.key, valid: verdict, ops: ops.length, ms: 0, visited: s.cache.size };
    if (verdict === 'unknown') result.reason = outcome as UnknownReason;
    if (this.lanes.length > 1 && verdict !== 'unknown') result.order = lane.limits.order;
    if (verdict === true) {
      if (limits.evidence === 'full') {
        const after = new Int32Array(s.depth);
        for (let d = 0; d < s.depth; d++) after[d] = d + 1 < s.depth ? s.stackState[d + 1] : s.state;
        result.linearized = describePrefix(model, ops, s.table, s.stackOp, after, s.depth);
      }
    } else if (limits.evidence !== 'none') {
      const e = verdict === false ? this.deeperEvidence() : s;
      result.linearized = describePrefix(model, ops, e.table, e.bestOp, e.bestState, e.bestDepth);
      const last = e.bestDepth > 0 ? e.bestState[e.bestDepth - 1] : e.initState;
      result.stuck = describeStuck(model, ops, e.table, e.bestOp, e.bestDepth, last);
    }
    result.ms = this.prepMs + this.lanes.reduce((sum, l) => sum + l.ms, 0) + performance.now() - t0;
    return result;
  }
}

/**
 * Pins decide "illegal" early — often at the root, when a read saw a value no write produces — so their
 * longest prefix can be empty and point at the wrong op. A report wants Porcupine's picture: the longest
 * prefix a plain search reaches and the op that then cannot be placed. So an illegal partition is searched
 * again without pins, for at most this long, and the deeper of the two prefixes is kept.
 */
const EVIDENCE_BUDGET_MS = 2000;

export interface EvidenceSource {
  table: StateTable;
  bestOp: Int32Array;
  bestState: Int32Array;
  bestDepth: number;
  initState: number;
}

/** Everything the search loop works on. Built once per partition; the loop keeps it in locals. */
interface Search {
  n: number;
  list: EntryList;
  hasRet: Uint8Array;
  blind: Uint8Array;
  /** Model group of each op (keys of a map-valued state); a blind op only erases its own group. */
  group: Int32Array;
  /** 1 for completed read-only ops: taken at once when legal (see checkPartition). */
  readOnly: Uint8Array;
  /** Per stack depth, 1 when that op was taken as a read-only move, with no alternative to try. */
  stackForced: Uint8Array;
  /** The pass each configuration starts in: READ_ONLY when there are read-only ops, else 0. */
  firstPass: number;
  twin: Int32Array;
  opHash: Int32Array;
  table: StateTable;
  cache: ConfigCache;
  pins: Pins | null;
  lin: Uint32Array;
  stackOp: Int32Array;
  /** State before each op on the stack. */
  stackState: Int32Array;
  /** The longest linearization seen: ops and the state after each (only when collecting evidence). */
  bestOp: Int32Array;
  bestState: Int32Array;
  bestDepth: number;
  depth: number;
  state: number;
  initState: number;
  // Loop position, kept so a paused search resumes exactly where it stopped.
  entry: number;
  linHash: number;
  same: number;
  finiteLeft: number;
  iter: number;
  pass: number;
}

function prepare(model: AnyModel, ops: readonly Operation[], evidence: boolean, usePins = true): Search {
  const n = ops.length;
  const words = bitsetWords(n);
  // What the arrays below, the entry list, the tables' first sizes and the pins take (an entry list with
  // tied positions takes more, and spills into a second chunk), so a partition's set-up allocates one buffer;
  // h039 of the cas set spilled at 2/3 of this.
  const arena = new Arena(n * (240 + 8 * words) + 1024);
  const call = arena.f64(n);
  const ret = arena.f64(n);
  const hasRet = arena.u8(n);
  const inputs: unknown[] = new Array(n);
  const outputs: unknown[] = new Array(n);
  let finiteLeft = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    call[i] = op.call;
    ret[i] = op.ret;
    inputs[i] = op.input;
    outputs[i] = op.output;
    finiteLeft += hasRet[i] = op.ret !== Infinity ? 1 : 0;
  }
  const blind = arena.u8(n);
  if (model.blind) for (let i = 0; i < n; i++) blind[i] = model.blind(inputs[i], outputs[i]) ? 1 : 0;
  const group = arena.i32(n);
  if (model.group) for (let i = 0; i < n; i++) group[i] = model.group(inputs[i]);
  const readOnly = arena.u8(n);
  let anyReadOnly = 0;
  if (model.readOnly) for (let i = 0; i < n; i++) anyReadOnly |= readOnly[i] = hasRet[i] === 1 && model.readOnly(inputs[i], outputs[i]) ? 1 : 0;
  const table = new StateTable(model, inputs, outputs, arena);
  const initState = table.intern(model.init());
  return {
    n,
    list: buildEntries(call, ret, arena),
    hasRet,
    blind,
    group,
    readOnly,
    stackForced: arena.u8(n),
    firstPass: anyReadOnly === 1 ? READ_ONLY : 0,
    twin: twins(model, ops, n - finiteLeft, arena),
    opHash: randomHashes(n, arena),
    table,
    cache: new ConfigCache(words, n, arena),
    pins: usePins ? preparePins(model, ops, table, group, arena) : null,
    lin: arena.u32(words),
    stackOp: arena.i32(n),
    stackState: arena.i32(n),
    bestOp: arena.i32(evidence ? n : 0),
    bestState: arena.i32(evidence ? n : 0),
    bestDepth: 0,
    depth: 0,
    state: initState,
    initState,
    entry: -1,
    linHash: 0,
    same: 0,
    finiteLeft,
    iter: 0,
    pass: anyReadOnly === 1 ? READ_ONLY : 0,
  };
}

/**
 * The passes over a configuration's candidates: READ_ONLY looks for a legal read-only op to take alone;
 * then 0 (completed ops) and 1 (unknown-outcome ops), or in call order a single pass 0 over both.
 */
const READ_ONLY = 2;

/**
 * The hot loop, kept small so the JIT compiles it quickly. Returns the verdict, why it gave up, or
 * 'paused' when `pauseAt` (a `Date.now()` time) passed first.
 */
function search(s: Search, limits: SearchLimits, pauseAt: number): boolean | UnknownReason | 'paused' {
  const { list, hasRet, blind, group, readOnly, stackForced, firstPass, twin, opHash, table, cache, pins, lin, stackOp, stackState, bestOp, bestState } = s;
  const { next, head } = list;
  const dead = pins !== null ? pins.dead : -1;
  const evidence = bestOp.length > 0;
  let finiteLeft = s.finiteLeft;
  let bestDepth = s.bestDepth;
  let same = s.same; // best[0..same) still equals the stack
  let depth = s.depth;
  let state = s.state;
  let linHash = s.linHash;
  let iter = s.iter;
  let heapUsed = -1;
  let outcome: boolean | UnknownReason | 'paused';

  let e = s.entry < 0 ? next[head] : s.entry;
  let pass = s.pass;
  // Limits are read once into locals: the limits object's shape varies by caller (lanes, evidence), and
  // reading it in the loop made the whole loop 1.7x slower (h009 of the cas set, 33 → 55 ms).
  const twoPass = limits.order !== 'call-order';
  const { cancel, deadline, maxBytes } = limits;
  search: for (;;) {
    if ((++iter & CHECK_MASK) === 0) {
      if ((iter & HARD_MASK) === 0) optimizeNow();
      if (Date.now() > pauseAt) {
        outcome = 'paused';
        break;
      }
      if (cancel !== undefined && Atomics.load(cancel, 0) !== 0) {
        outcome = 'cancelled';
        break;
      }
      if (Date.now() > deadline) {
        outcome = 'timeout';
        break;
      }
      if (heapUsed < 0 || (iter & HEAP_MASK) === 0) heapUsed = getHeapStatistics().used_heap_size;
      if (heapUsed + cache.bytes() + table.bytes() > maxBytes) {
        outcome = 'memory';
        break;
      }
    }
    if (finiteLeft === 0) {
      outcome = true;
      break;
    }
    let fails = false; // this configuration has failed: undo the choice that led to it
    let forced = 0; // the op below is this configuration's read-only move
    let op = -1;
    let s2 = ILLEGAL;
    let h = 0;
    if ((e & 1) === 1) {
      // No legal read-only op: now the other candidates, completed ones before unknown-outcome ones (a
      // further pass): a history that is linearizable is usually so without them, and found sooner that way.
      if (pass === READ_ONLY) {
        pass = 0;
        e = next[head];
        continue;
      }
      if (pass === 0 && twoPass) {
        pass = 1;
        e = next[head];
        continue;
      }
      // A return: its op should have taken effect by now.
      fails = true;
    } else if (pass === READ_ONLY) {
      op = e >> 1;
      e = next[e];
      if (readOnly[op] === 0) continue;
      s2 = state === dead && !pins!.isReset(op) ? (pins!.isPinned(op) ? ILLEGAL : dead) : table.step(state, op);
      if (s2 === ILLEGAL) continue;
      // The one move from here (see checkPartition): if it is pruned or was explored already, this
      // configuration fails with it. (A DEAD judgement is not acted on: merging is optional.)
      bitSet(lin, op);
      if (pins !== null) pins.take(op);
      h = linHash ^ opHash[op];
      if ((pins !== null && (s2 !== state || dead >= 0 || pins.isReset(op)) && pins.judge(s2, op, list) === PRUNE) || !cache.add(configKey(h, 2 * s2), 2 * s2, lin)) {
        bitClear(lin, op);
        if (pins !== null) pins.untake(op);
        fails = true;
      } else forced = 1;
    }
    if (fails) {
      // Undo the last choice and try the next one; a read-only move had no alternative, so undo on.
      do {
        if (depth === 0) {
          outcome = false;
          break search;
        }
        depth--;
        if (depth < same) same = depth;
        op = stackOp[depth];
        state = stackState[depth];
        bitClear(lin, op);
        if (pins !== null) pins.untake(op);
        linHash ^= opHash[op];
        unlift(list, op, hasRet[op] === 1);
        finiteLeft += hasRet[op];
      } while (stackForced[depth] === 1);
      e = next[2 * op];
      pass = hasRet[op] ^ 1;
      continue;
    }
    if (forced === 0) {
      // A call: try to let this op take effect now.
      op = e >> 1;
      e = next[e]; // where to go on if it cannot
      if (readOnly[op] === 1) continue; // legal ones were taken in the READ_ONLY pass
      if (twoPass && hasRet[op] === pass) continue; // pass 0: completed ops only; pass 1: unknown-outcome ops only
      const tw = twin[op];
      if (tw >= 0 && !bitHas(lin, tw)) continue;
      // An unknown-outcome op followed at once by a blind op (a write) had no visible effect: the same
      // linearization without it is explored elsewhere, with the op still available.
      if (blind[op] === 1 && depth > 0 && hasRet[stackOp[depth - 1]] === 0 && group[stackOp[depth - 1]] === group[op]) continue;
      // A dead state stays dead under non-resets, and no pinned op can be placed in it (see pins.ts).
      if (state === dead && !pins!.isReset(op)) s2 = pins!.isPinned(op) ? ILLEGAL : dead;
      else s2 = table.step(state, op);
      if (s2 === ILLEGAL || (s2 === state && hasRet[op] === 0)) continue;
      bitSet(lin, op);
      if (pins !== null) {
        pins.take(op);
        // Nothing new to judge when the state did not move and no reset was spent (unless dead states
        // exist: taking a read may be what leaves the state unobservable).
        const verdict = s2 !== state || dead >= 0 || pins.isReset(op) ? pins.judge(s2, op, list) : LIVE;
        if (verdict === DEAD) s2 = pins.collapse(s2, op);
        if (verdict === PRUNE || (s2 === state && hasRet[op] === 0)) {
          bitClear(lin, op);
          pins.untake(op);
          continue;
        }
      }
      h = linHash ^ opHash[op];
      // A configuration reached by taking an unknown-outcome op is restricted (see above): it may be
      // skipped if seen before in any way, an unrestricted one only if seen unrestricted.
      const flagged = 2 * s2 + (hasRet[op] ^ 1);
      if (((flagged & 1) === 1 && cache.has(configKey(h, flagged - 1), flagged - 1, lin)) || !cache.add(configKey(h, flagged), flagged, lin)) {
        bitClear(lin, op);
        if (pins !== null) pins.untake(op);
        continue;
      }
    }
    stackOp[depth] = op;
    stackState[depth] = state;
    stackForced[depth] = forced;
    depth++;
    state = s2;
    linHash = h;
    lift(list, op, hasRet[op] === 1);
    finiteLeft -= hasRet[op];
    pass = firstPass;
    if (evidence && depth > bestDepth) {
      // Copy only what changed since the last record: amortized O(1) per step even on long histories.
      for (let d = same; d < depth; d++) {
        bestOp[d] = stackOp[d];
        bestState[d] = d + 1 < depth ? stackState[d + 1] : state;
      }
      bestDepth = depth;
      same = depth;
    }
    e = next[head];
  }
  s.depth = depth;
  s.state = state;
  s.bestDepth = bestDepth;
  s.entry = e;
  s.linHash = linHash;
  s.same = same;
  s.finiteLeft = finiteLeft;
  s.iter = iter;
  s.pass = pass;
  return outcome;
}

function configKey(linHash: number, flaggedState: number): number {
  return (linHash ^ Math.imul(flaggedState + 1, 0x9e3779b1)) | 0;
}

/** Random 32-bit words per op; a set's hash is the xor of its members', updated in O(1) per step. */
function randomHashes(n: number, arena: Arena): Int32Array {
  const out = arena.i32(n);
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
function twins(model: AnyModel, ops: readonly Operation[], unknown: number, arena: Arena): Int32Array {
  const out = arena.i32(ops.length).fill(-1);
  // Most small partitions have fewer than two unknown-outcome ops (`unknown`, counted by prepare): no twins,
  // and no map or keys to build.
  if (unknown < 2) return out;
  const last = new Map<string, number>();
  const keyOf = model.inputKey ? (i: unknown) => model.inputKey!(i) : (i: unknown) => JSON.stringify(i);
  // Partitions come in invocation order; an index by call is built only for one that does not.
  let sorted = true;
  for (let i = 1; i < ops.length && sorted; i++) sorted = ops[i].call >= ops[i - 1].call;
  const byCall = sorted ? undefined : Int32Array.from(ops, (_, i) => i).sort((a, b) => ops[a].call - ops[b].call);
  for (let j = 0; j < ops.length; j++) {
    const i = byCall ? byCall[j] : j;
    if (ops[i].ret !== Infinity) continue;
    const k = keyOf(ops[i].input);
    const prev = last.get(k);
    if (prev !== undefined) out[i] = prev;
    last.set(k, i);
  }
  return out;
}
