// The search's memory of visited configurations: (linearized-op bitset, state id) pairs, deduplicated.
import { Arena } from './arena.js';
import { powerOfTwoAtLeast } from './states.js';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const FIRST = 16;
/** Bitset bytes the first chunk may take before anything is visited. */
const FIRST_BYTES = 1 << 18;

/**
 * An open-addressing hash set in typed arrays. A JS Map would do for small searches, but it caps out
 * at 2^24 entries and costs ~80 bytes each; hard partitions visit tens of millions of configurations.
 * Entries live in fixed-size chunks, so growing never copies the bitsets (no 2x peak at the worst time).
 */
export class ConfigCache {
  private slots: Int32Array;
  private mask: number;
  private keys: Int32Array[] = [];
  private states: Int32Array[] = [];
  private bits: Uint32Array[] = [];
  /** Size of the first chunk, which then doubles up to CHUNK. */
  private readonly first: number;
  size = 0;

  /**
   * `expected`: configurations to make room for at first (a valid partition of n ops visits at least n),
   * as far as FIRST_BYTES of bitsets allow: each one is `words` long, so a long partition starts small
   * (its memory, which counts against the cap, grows with what it visits).
   */
  constructor(
    private readonly words: number,
    expected = FIRST,
    arena = new Arena(),
  ) {
    this.first = powerOfTwoAtLeast(Math.min(expected, CHUNK, FIRST_BYTES / (4 * words)));
    this.slots = arena.i32(2 * this.first);
    this.mask = this.slots.length - 1;
    this.keys.push(arena.i32(this.first));
    this.states.push(arena.i32(this.first));
    this.bits.push(arena.u32(this.first * words));
  }

  /** Whether (bits, state) is present. */
  has(key: number, state: number, bits: Uint32Array): boolean {
    return this.slots[this.probe(key, state, bits)] !== 0;
  }

  /**
   * Adds (bits, state) unless present; returns false when it was already there. `key` must be a hash of
   * the pair; equal pairs must have equal keys.
   */
  add(key: number, state: number, bits: Uint32Array): boolean {
    const words = this.words;
    const i = this.probe(key, state, bits);
    if (this.slots[i] !== 0) return false;
    const e = this.size++;
    const c = e >>> CHUNK_BITS;
    const o = e & (CHUNK - 1);
    if (c === this.keys.length) this.addChunk();
    else if (o === this.keys[c].length) this.growFirstChunk();
    this.keys[c][o] = key;
    this.states[c][o] = state;
    // A loop, not set(subarray): the subarray view is an allocation per configuration.
    const pool = this.bits[c];
    const base = o * words;
    for (let w = 0; w < words; w++) pool[base + w] = bits[w];
    this.slots[i] = e + 1;
    // Keep the load under 1/2 so probe chains stay short.
    if (this.size * 2 > this.slots.length) this.grow();
    return true;
  }

  /** The slot holding (bits, state), or the empty slot where it would go. */
  private probe(key: number, state: number, bits: Uint32Array): number {
    const words = this.words;
    let i = (key ^ (key >>> 15)) & this.mask;
    for (;;) {
      const s = this.slots[i];
      if (s === 0) return i;
      const e = s - 1;
      const c = e >>> CHUNK_BITS;
      const o = e & (CHUNK - 1);
      if (this.keys[c][o] === key && this.states[c][o] === state) {
        const pool = this.bits[c];
        const base = o * words;
        let w = 0;
        while (w < words && pool[base + w] === bits[w]) w++;
        if (w === words) return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Bytes held, for the memory cap. */
  bytes(): number {
    let b = this.slots.byteLength;
    for (let c = 0; c < this.keys.length; c++) b += this.keys[c].byteLength + this.states[c].byteLength + this.bits[c].byteLength;
    return b;
  }

  // The first chunk starts small and doubles up to full size: most partitions are small, and zeroing a
  // full chunk per partition would cost more than searching it.
  private addChunk(): void {
    this.keys.push(new Int32Array(CHUNK));
    this.states.push(new Int32Array(CHUNK));
    this.bits.push(new Uint32Array(CHUNK * this.words));
  }

  private growFirstChunk(): void {
    const size = this.keys[0].length * 2;
    const keys = new Int32Array(size);
    keys.set(this.keys[0]);
    const states = new Int32Array(size);
    states.set(this.states[0]);
    const bits = new Uint32Array(size * this.words);
    bits.set(this.bits[0]);
    this.keys[0] = keys;
    this.states[0] = states;
    this.bits[0] = bits;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      const key = this.keys[e >>> CHUNK_BITS][e & (CHUNK - 1)];
      let i = (key ^ (key >>> 15)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
