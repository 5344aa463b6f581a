// Fixed-size bitsets over op indices as Uint32Array words: the "which ops are linearized" set of the search.

export function bitsetWords(n: number): number {
  return Math.max(1, (n + 31) >>> 5);
}

export function bitHas(bits: Uint32Array, i: number): boolean {
  return (bits[i >>> 5] & (1 << (i & 31))) !== 0;
}

export function bitSet(bits: Uint32Array, i: number): void {
  bits[i >>> 5] |= 1 << (i & 31);
}

export function bitClear(bits: Uint32Array, i: number): void {
  bits[i >>> 5] &= ~(1 << (i & 31));
}
