// One ArrayBuffer for a search's many small typed arrays, carved into views.

/** Room a fresh chunk gets when the current one is full; bigger requests get a buffer of their own. */
const CHUNK_BYTES = 1 << 14;
/** Most a first chunk may reserve up front (it is zeroed, and unused room is not counted as the search's memory). */
const FIRST_MAX = 1 << 20;
/** First chunks up to this size are cut from a slab shared by the arenas of this thread. */
const SLAB_BYTES = 1 << 16;
const SHARED_MAX = SLAB_BYTES / 4;

/**
 * Allocating a typed array of more than 64 bytes costs a separate backing store: about 0.6 µs each here,
 * against 0.07 µs for a view into a shared buffer. A partition's search needs some 30 of them, which was
 * half the set-up of a 28-op check. Views live as long as the search that holds them, so one buffer for
 * all of them frees nothing late. Growth (tables doubling) allocates normally.
 *
 * A small partition's one buffer was still the largest cost of its set-up (a 4 KB ArrayBuffer, about 1 µs),
 * so small first chunks are cut from a 64 KB slab instead. A region is never handed out twice, so it is
 * zeroed as the slab was; a slab is freed once no search holds a view of it.
 */
export class Arena {
  private buf: ArrayBuffer;
  private off: number;
  private end: number;

  /** `bytes`: what the caller expects to take (the first chunk's size, up to FIRST_MAX). */
  constructor(bytes = 0) {
    const size = (Math.min(FIRST_MAX, Math.max(64, bytes)) + 7) & ~7;
    if (size <= SHARED_MAX) {
      if (slabOff + size > SLAB_BYTES) {
        slab = new ArrayBuffer(SLAB_BYTES);
        slabOff = 0;
      }
      this.buf = slab;
      this.off = slabOff;
      this.end = slabOff += size;
    } else {
      this.buf = new ArrayBuffer(size);
      this.off = 0;
      this.end = size;
    }
  }

  i32(n: number): Int32Array {
    const [b, o] = this.take(4 * n);
    return new Int32Array(b, o, n);
  }

  u32(n: number): Uint32Array {
    const [b, o] = this.take(4 * n);
    return new Uint32Array(b, o, n);
  }

  u8(n: number): Uint8Array {
    const [b, o] = this.take(n);
    return new Uint8Array(b, o, n);
  }

  f64(n: number): Float64Array {
    const [b, o] = this.take(8 * n);
    return new Float64Array(b, o, n);
  }

  /** A zeroed region of `bytes`, 8-aligned so any element type fits. */
  private take(bytes: number): [ArrayBuffer, number] {
    const size = (bytes + 7) & ~7;
    if (this.off + size > this.end) {
      if (size >= CHUNK_BYTES) return [new ArrayBuffer(size), 0];
      this.buf = new ArrayBuffer(CHUNK_BYTES);
      this.off = 0;
      this.end = CHUNK_BYTES;
    }
    const o = this.off;
    this.off += size;
    return [this.buf, o];
  }
}

let slab = new ArrayBuffer(SLAB_BYTES);
let slabOff = 0;
