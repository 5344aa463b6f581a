// The op generator: for each worker, the f, key and value of its next operation, reproducible from the seed.
import type { Completion, Json } from '../history/op.js';
import { KeyPlan, type KeyOptions } from './keys.js';
import { stream, weighted, type Random } from './random.js';

/** Operation weights, e.g. { read: 2, write: 1, cas: 1 }. */
export type Mix = Record<string, number>;

/** Where an operation is drawn: which worker, and how many ops that worker drew before. */
export interface DrawContext {
  worker: number;
  seq: number;
}

/** What the generator needs of a workload (src/workload/workload.ts): its default mix and how to draw a value. */
export interface OpSource {
  readonly defaultMix: Mix;
  /** Value of an invocation of `f` (null for reads). */
  value(f: string, rng: Random, ctx: DrawContext): Json;
  /**
   * Multi-key workloads (list-append txns, the set): the keys an op touches travel inside its value and the
   * workload rotates them itself, so the op gets no `key`; this names them, for the final reads.
   */
  keysOf?(value: Json): readonly string[];
  /**
   * Workloads that choose each op's key themselves (the watch workload: writes on its own keys, watches on a
   * range with no key): the op's key, or undefined for none. Final reads cover keysOf(value) if the workload
   * has it, else this key.
   */
  keyOf?(f: string, rng: Random): string | undefined;
  /** Told every completion of a drawn op, so a value may depend on what came before (a watch resumes from its last revision). */
  completed?(worker: number, op: DrawnOp, completion: Completion): void;
}

export interface GeneratorOptions {
  seed: number;
  concurrency: number;
  /** Node each worker talks to (workers are spread over nodes round-robin). */
  nodes: readonly string[];
  mix?: Mix;
  /** Per-node mix overrides, e.g. { n3: { read: 1 } } makes workers bound to n3 only read. */
  nodeMix?: Record<string, Mix>;
  keys: KeyOptions;
}

export interface DrawnOp {
  f: string;
  /** Absent for multi-key workloads (OpSource.keysOf). */
  key?: string;
  value: Json;
  node: string;
}

/**
 * Each worker draws from its own random stream, so with one seed a worker's sequence of ops (f, value, node)
 * is identical in every replay; which key an op lands on depends on how fast its group progressed, exactly
 * as with Jepsen's independent keys.
 */
export class OpGenerator {
  readonly keys: KeyPlan;
  private readonly rngs: Random[];
  private readonly seqs: number[];

  constructor(
    private readonly workload: OpSource,
    private readonly options: GeneratorOptions,
  ) {
    this.keys = new KeyPlan(options.concurrency, options.keys);
    this.rngs = Array.from({ length: options.concurrency }, (_, w) => stream(options.seed, `worker-${w}`));
    this.seqs = new Array<number>(options.concurrency).fill(0);
  }

  nodeOf(worker: number): string {
    return this.options.nodes[worker % this.options.nodes.length]!;
  }

  mixOf(worker: number): Mix {
    return this.options.nodeMix?.[this.nodeOf(worker)] ?? this.options.mix ?? this.workload.defaultMix;
  }

  next(worker: number): DrawnOp {
    const rng = this.rngs[worker]!;
    const seq = this.seqs[worker]!++;
    const f = weighted(rng, this.mixOf(worker));
    const value = this.workload.value(f, rng, { worker, seq });
    if (this.workload.keyOf) {
      const key = this.workload.keyOf(f, rng);
      for (const k of this.workload.keysOf?.(value) ?? (key === undefined ? [] : [key])) this.keys.note(k);
      return key === undefined ? { f, value, node: this.nodeOf(worker) } : { f, key, value, node: this.nodeOf(worker) };
    }
    if (this.workload.keysOf) {
      for (const k of this.workload.keysOf(value)) this.keys.note(k);
      return { f, value, node: this.nodeOf(worker) };
    }
    return { f, key: this.keys.next(worker), value, node: this.nodeOf(worker) };
  }

  /** How worker's op `d` ended (the Load calls this after recording it). */
  completed(worker: number, d: DrawnOp, c: Completion): void {
    this.workload.completed?.(worker, d, c);
  }
}
