// Seeded random numbers: one seed replays the same op mix, keys, values and nemesis choices.

/** A random source in [0, 1), like Math.random but reproducible. */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for choosing operations (not for cryptography). */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream for one consumer (a worker, the nemesis), so the choices of one do not depend on how
 * many times another drew: worker 3's ops are the same whatever the timing of worker 2.
 */
export function stream(seed: number, name: string): Random {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x9e3779b1) >>> 0;
  return seeded(h ^ (h >>> 16));
}

/** Integer in [lo, hi]. */
export function int(rng: Random, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Picks a name by weight: { read: 2, write: 1 } reads two times in three. */
export function weighted<T extends string>(rng: Random, weights: Readonly<Record<T, number>>): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [name, w] of entries) {
    if (x < w) return name;
    x -= w;
  }
  return entries[entries.length - 1]![0];
}

/** A fresh seed when the user gave none (recorded in test.json so the run can be replayed). */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
