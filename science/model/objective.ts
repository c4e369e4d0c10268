/**
 * The full-batch training objective L(θ) = (1/N) Σ l(f(xᵢ, θ), yᵢ) of an MLP on a dataset, and its
 * evaluation at a point θ: loss, accuracy and gradient, with the forward and backward passes kept
 * (where the shards are) so that curvature products at the same θ (science/model/curvature.ts)
 * reuse them, and the alignment measurement of the same examples.
 *
 * The examples are cut into shards (science/model/shards.ts) held on the main thread or by worker
 * threads (science/model/engine.ts); every sum over examples is taken shard by shard and the
 * shards' sums added in float32 in shard order. So the results are the same, bit for bit, for
 * every number of workers.
 *
 * @module
 */
import type { MlpSpec } from "./layout.ts";
import { parameterCount } from "./layout.ts";
import { checkThetaLength, validateMlpSpec } from "./mlp.ts";
import { type LossKind, targetMatrix, validateLossKind } from "./loss.ts";
import { type Shard, shardPlan } from "./shards.ts";
import { createEngine, type ShardEngine } from "./engine.ts";
import type { CurvatureKind } from "./_shard_math.ts";
import type { ShardRequest } from "./_shard_set.ts";
import { curvatureProducts } from "./curvature.ts";
import {
  type AlignmentOptions,
  joinAlignment,
  type PerSampleAlignment,
} from "../measure/alignment.ts";

/** What defines an objective. */
export interface ObjectiveConfig {
  spec: MlpSpec;
  loss: LossKind;
  /** Inputs, N × d₀ row-major. */
  x: Float32Array;
  /** Labels (one-hot encoded here) or an N × C target matrix. */
  y: Int32Array | Float32Array;
  /**
   * Rows per shard; default science/model/shards.ts's rule. Results depend on the shards (the
   * order of the sums), never on the workers.
   */
  shardRows?: number;
  /** Worker threads computing the shards (science/model/engine.ts); default 0, the main thread. */
  workers?: number;
  /** The backend the shards run on (a worker's); default the main thread's active backend. */
  backend?: string;
}

/** The objective, holding the dataset where its shards are computed. Dispose it when done. */
export class Objective {
  readonly spec: MlpSpec;
  readonly loss: LossKind;
  readonly n: number;
  readonly parameterCount: number;
  /** The shards, in the order their sums are added. */
  readonly shards: Shard[];
  readonly #engine: ShardEngine;
  #points = 0;

  constructor(config: ObjectiveConfig) {
    validateMlpSpec(config.spec);
    validateLossKind(config.loss);
    this.spec = config.spec;
    this.loss = config.loss;
    const d0 = config.spec.sizes[0], C = config.spec.sizes.at(-1)!;
    if (config.x.length === 0 || config.x.length % d0 !== 0) {
      throw new Error(`x: length ${config.x.length} is not a positive multiple of d₀ = ${d0}`);
    }
    this.n = config.x.length / d0;
    this.parameterCount = parameterCount(config.spec.sizes);
    const y = targetMatrix(config.y, this.n, C);
    this.shards = shardPlan(this.n, this.parameterCount, config.shardRows);
    const rows = this.shards.map(({ start, end }) => ({
      x: config.x.slice(start * d0, end * d0),
      y: y.slice(start * C, end * C),
    }));
    const model = { spec: this.spec, loss: this.loss, n: this.n };
    this.#engine = createEngine(model, rows, config.workers ?? 0, config.backend);
  }

  /** The worker threads computing the shards (0: the main thread). */
  get workers(): number {
    return this.#engine.workers;
  }

  /** Evaluates loss, accuracy and gradient at θ; the point holds tensors until disposed. */
  at(theta: Float32Array): ObjectivePoint {
    checkThetaLength(this.spec, theta);
    return new ObjectivePoint(this, theta, this.#engine, this.#points++);
  }

  /** Loss and accuracy only (no gradient), e.g. for a test set. */
  lossAndAccuracy(theta: Float32Array): { loss: number; accuracy: number } {
    checkThetaLength(this.spec, theta);
    const [loss, correct] = this.#engine.sum({ op: "loss", theta }, 2);
    return { loss: loss / this.n, accuracy: correct / this.n };
  }

  /** The alignment of every example (science/measure/alignment.ts), measured shard by shard. */
  alignment(theta: Float32Array, options: AlignmentOptions = {}): PerSampleAlignment {
    checkThetaLength(this.spec, theta);
    const parts: PerSampleAlignment[] = [];
    this.#engine.each({ op: "alignment", theta, options }, (out) => {
      parts.push(out as PerSampleAlignment);
    });
    return joinAlignment(parts);
  }

  /** Releases the dataset and stops the workers. */
  dispose(): void {
    this.#engine.dispose();
  }
}

/** The objective evaluated at one θ: loss, accuracy, gradient, and curvature products there. */
export class ObjectivePoint {
  /** L(θ). */
  readonly loss: number;
  /** Fraction of examples whose arg-max output matches the arg-max target. */
  readonly accuracy: number;
  /** ∇L(θ). */
  readonly gradient: Float32Array;
  readonly #engine: ShardEngine;
  readonly #id: number;

  constructor(
    readonly objective: Objective,
    readonly theta: Float32Array,
    engine: ShardEngine,
    id: number,
  ) {
    this.#engine = engine;
    this.#id = id;
    const P = objective.parameterCount;
    let sum: Float32Array;
    try {
      sum = engine.sum({ op: "point", id, theta }, P + 2);
    } catch (e) {
      engine.release(id);
      throw e;
    }
    this.loss = sum[0] / objective.n;
    this.accuracy = sum[1] / objective.n;
    this.gradient = sum.subarray(2);
  }

  /** ℋv for each vector, batched (see science/model/curvature.ts for G, H and per-layer blocks). */
  hessianProducts(vectors: readonly ArrayLike<number>[]): Float32Array[] {
    return curvatureProducts(this, "hessian", vectors);
  }

  /**
   * The curvature products of k vectors packed row by row (k × P), packed the same way: the
   * primitive under science/model/curvature.ts.
   */
  packedProducts(kind: CurvatureKind, vectors: Float32Array, k: number): Float32Array {
    const P = this.objective.parameterCount;
    if (vectors.length !== k * P) {
      throw new Error(`vectors: length ${vectors.length}, expected k·P = ${k}·${P}`);
    }
    const request: ShardRequest = { op: "products", id: this.#id, kind, vectors, k };
    return this.#engine.sum(request, k * P);
  }

  /** Releases every tensor of this point. */
  dispose(): void {
    this.#engine.release(this.#id);
  }
}
