// Interns model states as small integers and memoizes transitions, so the search's hot loop is all ints.
import type { AnyModel } from '../model/model.js';
import { Arena } from './arena.js';

/** Result of a transition lookup: the next state id, or ILLEGAL. */
export const ILLEGAL = -1;

/**
 * Each distinct model state (by `hash` + `equal`) gets an id; `step` results are cached per
 * (state id, op) pair. A state is then compared with `===`, and stepping an op the search has tried
 * before (the common case after backtracking) costs one probe instead of a model call and a hash.
 */
export class StateTable {
  readonly states: unknown[] = [];
  // Sized to the partition and doubled as needed: most partitions are small, and zeroing fixed-size
  // tables per partition cost more than a small check's whole search; growing from tiny ones costs a
  // big partition its rehashes. Each op is stepped from at least one state, and a small partition
  // often from two or more (h036 of the cas set grew past n), hence 2n.
  private hashes = new Int32Array(8);
  private slots = new Int32Array(16);
  // Transition memo: open addressing over (state, op) -> next.
  private tKeyS: Int32Array;
  private tKeyO: Int32Array;
  private tVal: Int32Array;
  private tSlots: Int32Array;
  private tSize = 0;
  /** Total string length held by states (kv), a rough measure of their heap cost. */
  stateChars = 0;

  constructor(
    private readonly model: AnyModel,
    private readonly inputs: readonly unknown[],
    private readonly outputs: readonly unknown[],
    arena = new Arena(),
  ) {
    const size = powerOfTwoAtLeast(Math.min(2 * inputs.length, 1 << 16));
    this.tKeyS = arena.i32(size);
    this.tKeyO = arena.i32(size);
    this.tVal = arena.i32(size);
    this.tSlots = arena.i32(2 * size);
  }

  intern(s: unknown): number {
    const h = this.model.hash(s) | 0;
    const mask = this.slots.length - 1;
    let i = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) break;
      const id = slot - 1;
      if (this.hashes[id] === h && this.model.equal(this.states[id], s)) return id;
      i = (i + 1) & mask;
    }
    const id = this.states.length;
    this.states.push(s);
    if (typeof s === 'string') this.stateChars += s.length;
    if (id === this.hashes.length) {
      const grown = new Int32Array(id * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.slots[i] = id + 1;
    if (this.states.length * 2 > this.slots.length) this.rehashStates();
    return id;
  }

  /** The state after applying op to state `s`, or ILLEGAL. */
  step(s: number, op: number): number {
    const mask = this.tSlots.length - 1;
    let i = (Math.imul(s, 0x9e3779b1) ^ Math.imul(op, 0x85ebca6b)) >>> 0;
    i = (i ^ (i >>> 16)) & mask;
    for (;;) {
      const slot = this.tSlots[i];
      if (slot === 0) break;
      const e = slot - 1;
      if (this.tKeyS[e] === s && this.tKeyO[e] === op) return this.tVal[e];
      i = (i + 1) & mask;
    }
    const next = this.compute(s, op);
    const e = this.tSize++;
    if (e === this.tVal.length) this.growTransitions();
    this.tKeyS[e] = s;
    this.tKeyO[e] = op;
    this.tVal[e] = next;
    if (this.tSize * 2 > this.tSlots.length) this.rehashTransitions();
    else this.tSlots[i] = e + 1;
    return next;
  }

  bytes(): number {
    return this.hashes.byteLength + this.slots.byteLength + this.tSlots.byteLength + 3 * this.tVal.byteLength + this.states.length * 48 + this.stateChars * 2;
  }

  private compute(s: number, op: number): number {
    const nexts = this.model.step(this.states[s], this.inputs[op], this.outputs[op]);
    if (nexts.length === 0) return ILLEGAL;
    if (nexts.length > 1) throw new Error(`model ${this.model.name} returned ${nexts.length} states from one step; declare it nondeterministic`);
    return this.intern(nexts[0]);
  }

  private rehashStates(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.states.length; id++) {
      const h = this.hashes[id];
      let i = (h ^ (h >>> 15)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
  }

  private growTransitions(): void {
    const n = this.tVal.length * 2;
    const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.tKeyS = grow(this.tKeyS);
    this.tKeyO = grow(this.tKeyO);
    this.tVal = grow(this.tVal);
  }

  private rehashTransitions(): void {
    const slots = new Int32Array(this.tSlots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.tSize; e++) {
      let i = (Math.imul(this.tKeyS[e], 0x9e3779b1) ^ Math.imul(this.tKeyO[e], 0x85ebca6b)) >>> 0;
      i = (i ^ (i >>> 16)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    this.tSlots = slots;
  }
}

/** The least power of two ≥ max(16, n). */
export function powerOfTwoAtLeast(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
