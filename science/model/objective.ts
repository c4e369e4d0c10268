/**
 * The full-batch training objective L(θ) = (1/N) Σ l(f(xᵢ, θ), yᵢ) of an MLP on a dataset, and its
 * evaluation at a point θ: loss, accuracy and gradient, with the forward and backward quantities
 * kept so that curvature products at the same θ (science/model/curvature.ts) reuse them.
 *
 * Examples are processed in chunks of `chunkSize` rows, only to bound memory; sums are exact.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { MlpSpec } from "./layout.ts";
import { parameterCount, parameterLayout } from "./layout.ts";
import { activate, type LayerTensors, layerTensors, validateMlpSpec } from "./mlp.ts";
import {
  correctCount,
  type LossKind,
  outputGradient,
  perExampleLoss,
  targetMatrix,
  validateLossKind,
} from "./loss.ts";
import { tidyKeep } from "./_tidy.ts";
import { curvatureProducts } from "./curvature.ts";

/** What defines an objective. */
export interface ObjectiveConfig {
  spec: MlpSpec;
  loss: LossKind;
  /** Inputs, N × d₀ row-major. */
  x: Float32Array;
  /** Labels (one-hot encoded here) or an N × C target matrix. */
  y: Int32Array | Float32Array;
  /** Rows per chunk (memory only; default 4096). */
  chunkSize?: number;
}

/** The forward/backward quantities of one chunk at θ (all tensors kept until dispose). */
export interface ChunkCache {
  /** Inputs to each layer: h[0] = x, h[n] = σ(x̂ⁿ) (B × dₙ). */
  h: tf.Tensor2D[];
  /** σ′(x̂ⁿ) and σ″(x̂ⁿ) of the hidden layers n = 1..L−1 (index n − 1); σ″ null for ReLU. */
  d1: tf.Tensor2D[];
  d2: (tf.Tensor2D | null)[];
  /** ∂L/∂x̂ⁿ (already divided by N) for n = 1..L (index n − 1), and its transpose. */
  gz: tf.Tensor2D[];
  gzT: tf.Tensor2D[];
  /** ∂L/∂xⁿ = gẑⁿ⁺¹Aⁿ⁺¹ for hidden layers (index n − 1). */
  gh: tf.Tensor2D[];
  /** softmax(z) for cross-entropy, else null. */
  probabilities: tf.Tensor2D | null;
}

/** The objective, holding the dataset as tensors. Dispose it when done. */
export class Objective {
  readonly spec: MlpSpec;
  readonly loss: LossKind;
  readonly n: number;
  readonly parameterCount: number;
  /** Chunks of inputs and targets. */
  readonly chunks: { x: tf.Tensor2D; y: tf.Tensor2D }[] = [];

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
    const chunkSize = config.chunkSize ?? 4096;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new Error(`chunkSize: must be a positive integer, got ${chunkSize}`);
    }
    const y = targetMatrix(config.y, this.n, C);
    for (let start = 0; start < this.n; start += chunkSize) {
      const b = Math.min(chunkSize, this.n - start);
      this.chunks.push({
        x: tf.tensor2d(config.x.subarray(start * d0, (start + b) * d0), [b, d0]),
        y: tf.tensor2d(y.subarray(start * C, (start + b) * C), [b, C]),
      });
    }
  }

  /** Evaluates loss, accuracy and gradient at θ; the point holds tensors until disposed. */
  at(theta: Float32Array): ObjectivePoint {
    return new ObjectivePoint(this, theta);
  }

  /** Loss and accuracy only (no gradient), e.g. for a test set. */
  lossAndAccuracy(theta: Float32Array): { loss: number; accuracy: number } {
    const layers = layerTensors(this.spec, theta);
    let loss = 0, correct = 0;
    for (const chunk of this.chunks) {
      const z = tf.tidy(() => forwardOutput(this.spec, layers, chunk.x));
      const l = tf.tidy(() => tf.sum(perExampleLoss(this.loss, z, chunk.y)));
      loss += l.dataSync()[0];
      correct += correctCount(z, chunk.y);
      tf.dispose([z, l]);
    }
    disposeLayers(layers);
    return { loss: loss / this.n, accuracy: correct / this.n };
  }

  /** Releases the dataset tensors. */
  dispose(): void {
    for (const c of this.chunks) tf.dispose([c.x, c.y]);
  }
}

/** The objective evaluated at one θ: loss, accuracy, gradient and the cached passes. */
export class ObjectivePoint {
  readonly objective: Objective;
  readonly theta: Float32Array;
  readonly layers: LayerTensors[];
  readonly caches: ChunkCache[] = [];
  /** L(θ). */
  readonly loss: number;
  /** Fraction of examples whose arg-max output matches the arg-max target. */
  readonly accuracy: number;
  /** ∇L(θ). */
  readonly gradient: Float32Array;

  constructor(objective: Objective, theta: Float32Array) {
    this.objective = objective;
    this.theta = theta;
    this.layers = layerTensors(objective.spec, theta);
    let loss = 0, correct = 0;
    let grad: tf.Tensor1D | null = null;
    for (const chunk of objective.chunks) {
      const { cache, lossSum, gradient, correct: c } = evaluateChunk(objective, this.layers, chunk);
      this.caches.push(cache);
      loss += lossSum;
      correct += c;
      if (grad) {
        const sum: tf.Tensor1D = tf.add(grad, gradient);
        tf.dispose([grad, gradient]);
        grad = sum;
      } else grad = gradient;
    }
    this.loss = loss / objective.n;
    this.accuracy = correct / objective.n;
    this.gradient = grad!.dataSync() as Float32Array;
    grad!.dispose();
  }

  /** ℋv for each vector, batched (see science/model/curvature.ts for G, H and per-layer blocks). */
  hessianProducts(vectors: readonly ArrayLike<number>[]): Float32Array[] {
    return curvatureProducts(this, "hessian", vectors);
  }

  /** Releases every tensor of this point. */
  dispose(): void {
    disposeLayers(this.layers);
    for (const c of this.caches) {
      tf.dispose([...c.h.slice(1), ...c.d1, ...c.gz, ...c.gzT, ...c.gh]);
      tf.dispose(c.d2.filter((t): t is tf.Tensor2D => t !== null));
      if (c.probabilities) c.probabilities.dispose();
    }
  }
}

function disposeLayers(layers: LayerTensors[]): void {
  for (const l of layers) tf.dispose([l.weight, l.weightT, l.bias]);
}

function forwardOutput(spec: MlpSpec, layers: LayerTensors[], x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, n) => {
    const pre = tf.add(tf.matMul(h, layer.weightT), layer.bias) as tf.Tensor2D;
    h = n < layers.length - 1 ? activate(spec.activation, pre) as tf.Tensor2D : pre;
  });
  return h;
}

/**
 * σ′ and σ″ at x̂ given h = σ(x̂), exact in float32: for ELU σ′ = min(h + 1, 1) (eˣ = h + 1 where
 * x ≤ 0) and σ″ = σ′ − step(x̂); for tanh σ′ = 1 − h², σ″ = −2hσ′; for ReLU σ′ = step(x̂), σ″ = 0.
 */
function activationDerivatives(
  activation: MlpSpec["activation"],
  pre: tf.Tensor2D,
  h: tf.Tensor2D,
): [tf.Tensor2D, tf.Tensor2D | null] {
  if (activation === "relu") return [tf.step(pre, 0) as tf.Tensor2D, null];
  if (activation === "tanh") {
    const d1 = tf.sub(1, tf.square(h)) as tf.Tensor2D;
    return [d1, tf.mul(-2, tf.mul(h, d1)) as tf.Tensor2D];
  }
  const d1 = tf.minimum(tf.add(h, 1), 1) as tf.Tensor2D;
  return [d1, tf.sub(d1, tf.step(pre, 0)) as tf.Tensor2D];
}

function evaluateChunk(
  objective: Objective,
  layers: LayerTensors[],
  chunk: { x: tf.Tensor2D; y: tf.Tensor2D },
) {
  const { spec, loss, n: N } = objective;
  const L = layers.length;
  let lossSum = 0, correct = 0;
  const cache = tidyKeep(() => {
    const h: tf.Tensor2D[] = [chunk.x], d1: tf.Tensor2D[] = [], d2: (tf.Tensor2D | null)[] = [];
    let z: tf.Tensor2D | null = null;
    layers.forEach((layer, n) => {
      const pre = tf.add(tf.matMul(h[n], layer.weightT), layer.bias) as tf.Tensor2D;
      if (n === L - 1) {
        z = pre;
        return;
      }
      h.push(activate(spec.activation, pre) as tf.Tensor2D);
      const [a, b] = activationDerivatives(spec.activation, pre, h[n + 1]);
      d1.push(a);
      d2.push(b);
    });
    const out = z!;
    lossSum = tf.sum(perExampleLoss(loss, out, chunk.y)).dataSync()[0];
    correct = correctCount(out, chunk.y);
    const gz: tf.Tensor2D[] = new Array(L), gh: tf.Tensor2D[] = new Array(L - 1);
    gz[L - 1] = tf.div(outputGradient(loss, out, chunk.y), N) as tf.Tensor2D;
    for (let n = L - 1; n >= 1; n--) {
      gh[n - 1] = tf.matMul(gz[n], layers[n].weight);
      gz[n - 1] = tf.mul(gh[n - 1], d1[n - 1]) as tf.Tensor2D;
    }
    const gzT = gz.map((g) => tf.transpose(g) as tf.Tensor2D);
    const probabilities = loss === "cross_entropy" ? tf.softmax(out) as tf.Tensor2D : null;
    return { h, d1, d2, gz, gzT, gh, probabilities } as ChunkCache;
  });
  const gradient = tf.tidy(() =>
    tf.concat(
      parameterLayout(spec.sizes).flatMap((_, n) => [
        tf.reshape(tf.matMul(cache.gzT[n], cache.h[n]), [-1]),
        tf.sum(cache.gz[n], 0),
      ]),
    ) as tf.Tensor1D
  );
  return { cache, lossSum, gradient, correct };
}
