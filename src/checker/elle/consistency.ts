// Which consistency models each anomaly rules out (after Elle's consistency-model graph, cut to our four).

/** From weakest to strongest: each model here implies every one before it (Elle: serializable ⇒ SI). */
export const CONSISTENCY_MODELS = ['read-committed', 'snapshot-isolation', 'serializable', 'strict-serializable'] as const;
export type Consistency = (typeof CONSISTENCY_MODELS)[number];

/**
 * The weakest of our models an anomaly rules out; it rules out every stronger one too. Following Elle:
 * G0 and G1 (a, b, c) break read committed; incompatible orders imply an aborted read (G1a); duplicate
 * elements and garbage reads (elements nobody appended) mean the store made data up, which not even read
 * committed allows. Internal inconsistency, G-single and G-nonadjacent break snapshot isolation (Adya's
 * G-SI; Cerone et al.: SI cycles need two adjacent rw edges); G2-item breaks serializability. Realtime and
 * process variants of any cycle, and lost appends (an acknowledged append that no later read sees), break
 * only strict serializability: a serializable order may put the writer after every reader.
 * `cycle-exists-*`: a strongly connected component proves a cycle the bounded search did not get to name.
 */
const WEAKEST: Readonly<Record<string, Consistency>> = {
  G0: 'read-committed',
  G1a: 'read-committed',
  G1b: 'read-committed',
  G1c: 'read-committed',
  'incompatible-order': 'read-committed',
  'duplicate-elements': 'read-committed',
  'garbage-read': 'read-committed',
  'cycle-exists-G1': 'read-committed',
  internal: 'snapshot-isolation',
  'G-single': 'snapshot-isolation',
  'G-nonadjacent': 'snapshot-isolation',
  'G2-item': 'serializable',
  'cycle-exists-G2': 'serializable',
  'lost-append': 'strict-serializable',
  'cycle-exists-realtime': 'strict-serializable',
};

/** The models `type` rules out, weakest first. */
export function rulesOut(type: string): Consistency[] {
  const timed = /-(realtime|process)$/.test(type);
  const weakest = timed ? 'strict-serializable' : WEAKEST[type];
  if (weakest === undefined) throw new Error(`unknown anomaly type ${type}`);
  return CONSISTENCY_MODELS.slice(CONSISTENCY_MODELS.indexOf(weakest));
}

/** The edge labels a model's cycles are made of: strict models also order by real time and process. */
export function isStrict(model: Consistency): boolean {
  return model === 'strict-serializable';
}

export function isConsistency(s: string): s is Consistency {
  return (CONSISTENCY_MODELS as readonly string[]).includes(s);
}
