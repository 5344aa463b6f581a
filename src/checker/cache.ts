// The search's memory of visited configurations: (linearized-op bitset, state id) pairs, deduplicated.

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

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
  size = 0;

  constructor(private readonly words: number) {
    this.slots = new Int32Array(1024);
    this.mask = 1023;
  }

  /**
   * Adds (bits, state) unless present; returns false when it was already there. `key` must be a hash of
   * the pair; equal pairs must have equal keys.
   */
  add(key: number, state: number, bits: Uint32Array): boolean {
    const words = this.words;
    let i = (key ^ (key >>> 15)) & this.mask;
    for (;;) {
      const s = this.slots[i];
      if (s === 0) break;
      const e = s - 1;
      const c = e >>> CHUNK_BITS;
      const o = e & (CHUNK - 1);
      if (this.keys[c][o] === key && this.states[c][o] === state) {
        const pool = this.bits[c];
        const base = o * words;
        let same = true;
        for (let w = 0; w < words; w++) {
          if (pool[base + w] !== bits[w]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
      i = (i + 1) & this.mask;
    }
    const e = this.size++;
    const c = e >>> CHUNK_BITS;
    const o = e & (CHUNK - 1);
    if (c === this.keys.length) {
      this.keys.push(new Int32Array(CHUNK));
      this.states.push(new Int32Array(CHUNK));
      this.bits.push(new Uint32Array(CHUNK * words));
    }
    this.keys[c][o] = key;
    this.states[c][o] = state;
    this.bits[c].set(bits.subarray(0, words), o * words);
    this.slots[i] = e + 1;
    // Keep the load under 1/2 so probe chains stay short.
    if (this.size * 2 > this.slots.length) this.grow();
    return true;
  }

  /** Bytes held, for the memory cap. */
  bytes(): number {
    return this.slots.byteLength + this.keys.length * CHUNK * (8 + 4 * this.words);
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
