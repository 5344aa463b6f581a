// The checker's result types: verdicts plus evidence, plain JSON so reports and workers can carry them.

/** Jepsen's three answers: linearizable, not, or could not decide within the limits. */
export type Verdict = true | false | 'unknown';

/** Why a partition ended `unknown`. `cancelled`: another partition was already found not linearizable. */
export type UnknownReason = 'timeout' | 'memory' | 'cancelled';

/** One op placed in the linearization, with the model state right after it. */
export interface LinearizedStep {
  /** `index` of the op's invocation in the history. */
  op: number;
  description: string;
  state: string;
}

/** Where the longest linearization got stuck: the ops that could come next and the state before them. */
export interface Stuck {
  /** The model state after the longest linearizable prefix, i.e. before each candidate. */
  state: string;
  /** The op whose completion bounds the candidates: it had to be placed before anything returning later. */
  frontier: number | null;
  /** Every op that could have been placed next; `legal: false` = the model rejects it in `state`. */
  candidates: { op: number; description: string; legal: boolean }[];
}

/**
 * 'completed-first' tries ops that returned before unknown-outcome ones at each step (most histories are
 * linearizable without the latter, and are found so sooner); 'call-order' tries every candidate in call order,
 * as Porcupine does. Both are complete searches and give the same verdict; which one is faster depends on the
 * history (each decides partitions of the generated cas set that the other is slower on), so a partition still
 * undecided after 250 ms is searched in both, alternately (linearizability.ts PartitionJob).
 */
export type SearchOrder = 'completed-first' | 'call-order';

export interface PartitionResult {
  /** The partition's key (`null` for a history without keys, or when checked unpartitioned). */
  key: string | null;
  valid: Verdict;
  reason?: UnknownReason;
  ops: number;
  ms: number;
  /** Configurations the search cached: a measure of how hard the partition was. */
  visited: number;
  /** Set when both search orders raced on this partition (PartitionJob): the one that decided it first. */
  order?: SearchOrder;
  /**
   * The longest linearizable prefix found, in linearization order (for a valid partition: a full
   * linearization, only when evidence is 'full').
   */
  linearized?: LinearizedStep[];
  /** Present when the partition is not valid (and was searched). */
  stuck?: Stuck;
}

export interface CheckResult {
  valid: Verdict;
  partitions: PartitionResult[];
  /** Wall time of the whole check in milliseconds. */
  ms: number;
  /** Client operations checked (invocations that did not fail). */
  ops: number;
  model: string;
}

export interface CheckOptions {
  /** The search order a partition starts in, and when the other joins (linearizability.ts); for tests and benchmarks. */
  order?: SearchOrder;
  raceAfterMs?: number;
  /** Give up (verdict unknown) after this many milliseconds. */
  timeoutMs?: number;
  /** Memory budget in MiB for the search; exceeding it ends in unknown, never in an out-of-memory crash. */
  maxMemoryMb?: number;
  /** Search every partition even after one is found not linearizable (evidence for all of them). */
  allPartitions?: boolean;
  /** 'failures' (default): linearizations only for partitions that are not valid; 'full': for all; 'none'. */
  evidence?: EvidenceLevel;
  /** Worker threads helping this one with partitions: 0 = this thread only; default = cores - 1 (at least 1). */
  workers?: number;
}

export type EvidenceLevel = 'none' | 'failures' | 'full';

/** The verdict of several parts: any false is false, else any unknown is unknown. */
export function combine(verdicts: Iterable<Verdict>): Verdict {
  let result: Verdict = true;
  for (const v of verdicts) {
    if (v === false) return false;
    if (v === 'unknown') result = 'unknown';
  }
  return result;
}
