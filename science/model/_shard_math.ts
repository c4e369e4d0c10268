/**
 * The objective's tensor work on one shard of examples (science/model/shards.ts), the same on the
 * main thread and in a worker: the forward and backward pass at θ with what the curvature
 * products reuse (its cache), the loss alone, and the curvature products of SCIENCE.md §2 by
 * Pearlmutter's R-operator (science/model/curvature.ts states the maths). Each returns tensors;
 * reading them back is the caller's (science/model/readback.ts), so that one computation serves
 * both the synchronous and the asynchronous path.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { MlpSpec } from "./layout.ts";
import { parameterLayout } from "./layout.ts";
import { activate, type LayerTensors, mlpOutput } from "./mlp.ts";
import {
  correctCount,
  type LossKind,
  outputGradient,
  outputHessianProduct,
  perExampleLoss,
} from "./loss.ts";
import { tidyKeep } from "./_tidy.ts";

/** The network and loss, and N: the full-batch mean divides by it. */
export interface ShardModel {
  spec: MlpSpec;
  loss: LossKind;
  n: number;
}

/** One shard's inputs and targets. */
export interface ShardTensors {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

/** The forward/backward quantities of one shard at θ (all tensors kept until disposed). */
export interface ShardCache {
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

/** Which curvature matrix to apply. */
export type CurvatureKind = "hessian" | "gaussNewton" | "residual";

/** [Σ lᵢ, #correct] of one shard at θ (no cache). */
export function shardLoss(m: ShardModel, layers: LayerTensors[], s: ShardTensors): tf.Tensor1D {
  return tf.tidy(() => {
    const z = mlpOutput(m.spec, layers, s.x);
    return tf.stack([tf.sum(perExampleLoss(m.loss, z, s.y)), correctCount(z, s.y)]) as tf.Tensor1D;
  });
}

/**
 * The forward and backward pass of one shard at θ: its cache, and one tensor [Σ lᵢ, #correct,
 * the shard's part of ∇L (P values)], so that a single read-back brings all three.
 */
export function evaluateShard(
  m: ShardModel,
  layers: LayerTensors[],
  s: ShardTensors,
): { cache: ShardCache; summary: tf.Tensor1D } {
  const L = layers.length;
  const cache = tidyKeep(() => {
    const h: tf.Tensor2D[] = [s.x], d1: tf.Tensor2D[] = [], d2: (tf.Tensor2D | null)[] = [];
    let z: tf.Tensor2D | null = null;
    layers.forEach((layer, n) => {
      const pre = tf.add(tf.matMul(h[n], layer.weightT), layer.bias) as tf.Tensor2D;
      if (n === L - 1) {
        z = pre;
        return;
      }
      h.push(activate(m.spec.activation, pre) as tf.Tensor2D);
      const [a, b] = activationDerivatives(m.spec.activation, pre, h[n + 1]);
      d1.push(a);
      d2.push(b);
    });
    const out = z!;
    const head = tf.stack([tf.sum(perExampleLoss(m.loss, out, s.y)), correctCount(out, s.y)]);
    const gz: tf.Tensor2D[] = new Array(L), gh: tf.Tensor2D[] = new Array(L - 1);
    gz[L - 1] = tf.div(outputGradient(m.loss, out, s.y), m.n) as tf.Tensor2D;
    for (let n = L - 1; n >= 1; n--) {
      gh[n - 1] = tf.matMul(gz[n], layers[n].weight);
      gz[n - 1] = tf.mul(gh[n - 1], d1[n - 1]) as tf.Tensor2D;
    }
    const gzT = gz.map((g) => tf.transpose(g) as tf.Tensor2D);
    const probabilities = m.loss === "cross_entropy" ? tf.softmax(out) as tf.Tensor2D : null;
    return { cache: { h, d1, d2, gz, gzT, gh, probabilities } as ShardCache, head };
  });
  const summary = tf.tidy(() =>
    tf.concat([
      cache.head,
      ...parameterLayout(m.spec.sizes).flatMap((_, n) => [
        tf.reshape(tf.matMul(cache.cache.gzT[n], cache.cache.h[n]), [-1]),
        tf.sum(cache.cache.gz[n], 0),
      ]),
    ]) as tf.Tensor1D
  );
  cache.head.dispose();
  return { cache: cache.cache, summary };
}

/** Releases a shard cache (h[0] is the shard's inputs, which stay). */
export function disposeCache(c: ShardCache): void {
  tf.dispose([...c.h.slice(1), ...c.d1, ...c.gz, ...c.gzT, ...c.gh]);
  tf.dispose(c.d2.filter((t): t is tf.Tensor2D => t !== null));
  if (c.probabilities) c.probabilities.dispose();
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

/** The k directions of a product, laid out per layer for the R-operator. */
export interface DirectionLayer {
  /** [d_{n−1}, k·dₙ]: the k weight directions Vⁿ, transposed and side by side. */
  vT: tf.Tensor2D;
  /** [k, 1, dₙ]: the bias directions. */
  u: tf.Tensor3D;
  /** [dₙ, k·d_{n−1}]: row r holds row r of each Vⁿ, side by side. */
  vRows: tf.Tensor2D;
}

/** Splits k packed directions (k × P, θ's layout) by layer; the caller disposes them. */
export function directionTensors(sizes: number[], packed: Float32Array, k: number) {
  return tidyKeep(() => {
    const V = tf.tensor2d(packed, [k, packed.length / k]);
    return parameterLayout(sizes).map((l): DirectionLayer => {
      const w = tf.reshape(
        tf.slice(V, [0, l.weightOffset], [k, l.rows * l.cols]),
        [k, l.rows, l.cols],
      );
      return {
        vT: tf.transpose(tf.reshape(w, [k * l.rows, l.cols])) as tf.Tensor2D,
        u: tf.reshape(tf.slice(V, [0, l.biasOffset], [k, l.rows]), [k, 1, l.rows]) as tf.Tensor3D,
        vRows: tf.reshape(tf.transpose(w, [1, 0, 2]), [l.rows, k * l.cols]) as tf.Tensor2D,
      };
    });
  });
}

/** Releases {@linkcode directionTensors}' tensors. */
export function disposeDirections(dirs: DirectionLayer[]): void {
  tf.dispose(dirs.flatMap((d) => [d.vT, d.u, d.vRows]));
}

/** [B, k·d] (k blocks side by side) → [k, B, d]. */
function blocksToBatch(x: tf.Tensor2D, k: number, d: number): tf.Tensor3D {
  return tf.transpose(tf.reshape(x, [x.shape[0], k, d]), [1, 0, 2]);
}

function add<T extends tf.Tensor>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  return tf.add(a, b);
}

/** R-forward: Rẑⁿ = Vⁿ hⁿ⁻¹ + uⁿ + Aⁿ Rhⁿ⁻¹, Rhⁿ = σ′(x̂ⁿ) ⊙ Rẑⁿ; shapes [k, B, dₙ]. */
function rForward(sizes: number[], layers: LayerTensors[], c: ShardCache, dirs: DirectionLayer[]) {
  const L = layers.length, k = dirs[0].u.shape[0], B = c.h[0].shape[0];
  const Rz: tf.Tensor3D[] = [], Rh: tf.Tensor3D[] = [];
  for (let n = 0; n < L; n++) {
    const d = sizes[n + 1];
    let r: tf.Tensor3D = tf.add(blocksToBatch(tf.matMul(c.h[n], dirs[n].vT), k, d), dirs[n].u);
    if (n > 0) {
      const prev = tf.reshape(Rh[n - 1], [k * B, sizes[n]]) as tf.Tensor2D;
      r = tf.add(r, tf.reshape(tf.matMul(prev, layers[n].weightT), [k, B, d]));
    }
    Rz.push(r);
    if (n < L - 1) Rh.push(tf.mul(r, c.d1[n]));
  }
  return { Rz, Rh };
}

/**
 * The shard's part of ℋV, GV or HV for k directions: a [k, P] tensor. The R-backward runs from
 * the output down; Rg is R(∂L/∂x̂ⁿ), shape [k, B, dₙ] (null = zero, as for H's output layer).
 */
export function shardProducts(
  m: ShardModel,
  layers: LayerTensors[],
  c: ShardCache,
  dirs: DirectionLayer[],
  kind: CurvatureKind,
): tf.Tensor2D {
  return tf.tidy(() => {
    const gaussNewton = kind !== "residual", residual = kind !== "gaussNewton";
    const sizes = m.spec.sizes, L = layers.length, k = dirs[0].u.shape[0], B = c.h[0].shape[0];
    const { Rz, Rh } = rForward(sizes, layers, c, dirs);
    let Rg: tf.Tensor3D | null = gaussNewton
      ? tf.div(outputHessianProduct(m.loss, c.probabilities, Rz[L - 1]), m.n)
      : null;
    const pieces: tf.Tensor2D[] = [];
    for (let n = L - 1; n >= 0; n--) {
      const dOut = sizes[n + 1], dIn = sizes[n];
      let gradW: tf.Tensor2D | null = null, gradB: tf.Tensor2D | null = null;
      if (Rg) {
        const RgT = tf.reshape(tf.transpose(Rg, [0, 2, 1]), [k * dOut, B]) as tf.Tensor2D;
        gradW = tf.reshape(tf.matMul(RgT, c.h[n]), [k, dOut * dIn]);
        gradB = tf.sum(Rg, 1);
      }
      if (residual && n > 0) {
        // gẑⁿᵀ Rhⁿ⁻¹: the weight gradient's dependence on the layer input.
        const rhBlocks = tf.reshape(tf.transpose(Rh[n - 1], [1, 0, 2]), [B, k * dIn]);
        const term = tf.reshape(tf.matMul(c.gzT[n], rhBlocks as tf.Tensor2D), [dOut, k, dIn]);
        gradW = add(gradW, tf.reshape(tf.transpose(term, [1, 0, 2]), [k, dOut * dIn]));
      }
      pieces.unshift(gradW ?? tf.zeros([k, dOut * dIn]), gradB ?? tf.zeros([k, dOut]));
      if (n === 0) break;
      // R(∂L/∂hⁿ⁻¹) = Rgⁿ Aⁿ (+ gẑⁿ Vⁿ), then R(∂L/∂x̂ⁿ⁻¹) = σ′ ⊙ that (+ σ″ ⊙ Rẑ ⊙ ∂L/∂hⁿ⁻¹).
      let Rgh: tf.Tensor3D | null = Rg
        ? tf.reshape(tf.matMul(tf.reshape(Rg, [k * B, dOut]), layers[n].weight), [k, B, dIn])
        : null;
      if (residual) Rgh = add(Rgh, blocksToBatch(tf.matMul(c.gz[n], dirs[n].vRows), k, dIn));
      let next: tf.Tensor3D | null = Rgh ? tf.mul(Rgh, c.d1[n - 1]) : null;
      if (residual && c.d2[n - 1]) {
        next = add(next, tf.mul(Rz[n - 1], tf.mul(c.d2[n - 1]!, c.gh[n - 1])));
      }
      Rg = next;
    }
    return tf.concat(pieces, 1) as tf.Tensor2D;
  });
}
