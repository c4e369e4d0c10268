/**
 * Curvature products at a point θ of the objective (SCIENCE.md §2), computed analytically with
 * Pearlmutter's R-operator on the MLP (forward pass of the directional derivative, then the
 * backward pass and its directional derivative), in float32 on the tfjs backend:
 *
 * - ℋv (`hessian`), exact to float32 rounding;
 * - Gv = (1/N) Σ Jᵢᵀ Qᵢ Jᵢ v (`gaussNewton`), the R-forward then a plain backward of Q·Jv;
 * - Hv = ℋv − Gv (`residual`): the terms of the R-backward that involve gᵢ = ∂l/∂z;
 * - Gⁿⁿv for one layer's block (`layerGaussNewtonVectorProduct`).
 *
 * Several vectors are applied in one pass (a leading batch axis k), which saves per-op overhead.
 * Vectors go in as any `ArrayLike<number>` of length P (converted to float32) and come out as
 * Float32Array. The forward/backward passes cached by {@linkcode ObjectivePoint} are reused.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parameterLayout } from "./layout.ts";
import type { ObjectivePoint } from "./objective.ts";
import type { SymmetricOperator } from "../linalg/lanczos.ts";
import { outputHessianProduct } from "./loss.ts";
import { tidyKeep } from "./_tidy.ts";

/** Which curvature matrix to apply. */
export type CurvatureKind = "hessian" | "gaussNewton" | "residual";

/** Applies the chosen curvature matrix at `point` to each vector of `vectors` in one batch. */
export function curvatureProducts(
  point: ObjectivePoint,
  kind: CurvatureKind,
  vectors: readonly ArrayLike<number>[],
): Float32Array[] {
  const P = point.objective.parameterCount, k = vectors.length;
  if (k === 0) return [];
  const packed = new Float32Array(k * P);
  vectors.forEach((v, j) => {
    if (v.length !== P) throw new Error(`vector ${j}: length ${v.length}, expected P = ${P}`);
    packed.set(v, j * P);
  });
  const V = tf.tensor2d(packed, [k, P]);
  const gaussNewton = kind !== "residual", residual = kind !== "gaussNewton";
  const perLayer = tidyKeep(() => directionTensors(point, V));
  let total: tf.Tensor2D | null = null;
  for (const cache of point.caches) {
    const part = tf.tidy(() => chunkProduct(point, cache, perLayer, k, gaussNewton, residual));
    if (total) {
      const sum: tf.Tensor2D = tf.add(total, part);
      tf.dispose([total, part]);
      total = sum;
    } else total = part;
  }
  const flat = total!.dataSync() as Float32Array;
  tf.dispose([V, total!, ...perLayer.flatMap((d) => [d.vT, d.u, d.vRows])]);
  // Views, not copies: dataSync already returned a fresh array (one pass over kP floats saved).
  return vectors.map((_, j) => flat.subarray(j * P, (j + 1) * P));
}

/** ℋv. */
export function hessianVectorProduct(point: ObjectivePoint, v: ArrayLike<number>): Float32Array {
  return curvatureProducts(point, "hessian", [v])[0];
}

/** Gv, the Gauss–Newton part. */
export function gaussNewtonVectorProduct(
  point: ObjectivePoint,
  v: ArrayLike<number>,
): Float32Array {
  return curvatureProducts(point, "gaussNewton", [v])[0];
}

/** Hv = ℋv − Gv, the residual (non-Gauss–Newton) part. */
export function residualHessianVectorProduct(
  point: ObjectivePoint,
  v: ArrayLike<number>,
): Float32Array {
  return curvatureProducts(point, "residual", [v])[0];
}

/** The length of layer `layer`'s parameter block (layer is 1-based, as Gⁿⁿ in SCIENCE.md §2). */
export function layerBlockSize(point: ObjectivePoint, layer: number): number {
  const l = layerSlice(point, layer);
  return l.end - l.weightOffset;
}

/**
 * Gⁿⁿ·v for layer n's block (n is 1-based): `vectors` and the results have the block's length
 * (Aⁿ row-major, then bⁿ), i.e. G restricted to that layer's parameters.
 */
export function layerGaussNewtonProducts(
  point: ObjectivePoint,
  layer: number,
  vectors: readonly ArrayLike<number>[],
): Float32Array[] {
  const l = layerSlice(point, layer), P = point.objective.parameterCount;
  const full = vectors.map((v) => {
    if (v.length !== l.end - l.weightOffset) {
      throw new Error(
        `layer ${layer} vector: length ${v.length}, expected ${l.end - l.weightOffset}`,
      );
    }
    const out = new Float32Array(P);
    out.set(v, l.weightOffset);
    return out;
  });
  return curvatureProducts(point, "gaussNewton", full).map((r) => r.slice(l.weightOffset, l.end));
}

/** ℋ, G or H at `point` as an operator for science/linalg/lanczos.ts (dimension P). */
export function curvatureOperator(point: ObjectivePoint, kind: CurvatureKind): SymmetricOperator {
  return {
    dim: point.objective.parameterCount,
    apply: (vs) => curvatureProducts(point, kind, vs),
  };
}

/** Gⁿⁿ of layer n (1-based) at `point` as an operator on that layer's block. */
export function layerGaussNewtonOperator(point: ObjectivePoint, layer: number): SymmetricOperator {
  return {
    dim: layerBlockSize(point, layer),
    apply: (vs) => layerGaussNewtonProducts(point, layer, vs),
  };
}

function layerSlice(point: ObjectivePoint, layer: number) {
  const layout = parameterLayout(point.objective.spec.sizes);
  if (!Number.isInteger(layer) || layer < 1 || layer > layout.length) {
    throw new Error(`layer: ${layer} is not one of 1..${layout.length}`);
  }
  return layout[layer - 1];
}

interface DirectionLayer {
  /** [d_{n−1}, k·dₙ]: the k weight directions Vⁿ, transposed and side by side. */
  vT: tf.Tensor2D;
  /** [k, 1, dₙ]: the bias directions. */
  u: tf.Tensor3D;
  /** [dₙ, k·d_{n−1}]: row r holds row r of each Vⁿ, side by side. */
  vRows: tf.Tensor2D;
}

function directionTensors(point: ObjectivePoint, V: tf.Tensor2D): DirectionLayer[] {
  const k = V.shape[0];
  return parameterLayout(point.objective.spec.sizes).map((l) => {
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

/** The contribution of one chunk of examples: a [k, P] tensor. */
function chunkProduct(
  point: ObjectivePoint,
  cache: ObjectivePoint["caches"][number],
  dirs: DirectionLayer[],
  k: number,
  gaussNewton: boolean,
  residual: boolean,
): tf.Tensor2D {
  const { layers } = point;
  const L = layers.length, sizes = point.objective.spec.sizes;
  const B = cache.h[0].shape[0];
  // R-forward: Rẑⁿ = Vⁿ hⁿ⁻¹ + uⁿ + Aⁿ Rhⁿ⁻¹, Rhⁿ = σ′(x̂ⁿ) ⊙ Rẑⁿ; shapes [k, B, dₙ].
  const Rz: tf.Tensor3D[] = [], Rh: tf.Tensor3D[] = [];
  for (let n = 0; n < L; n++) {
    const d = sizes[n + 1];
    let r: tf.Tensor3D = tf.add(blocksToBatch(tf.matMul(cache.h[n], dirs[n].vT), k, d), dirs[n].u);
    if (n > 0) {
      const prev = tf.reshape(Rh[n - 1], [k * B, sizes[n]]) as tf.Tensor2D;
      r = tf.add(r, tf.reshape(tf.matMul(prev, layers[n].weightT), [k, B, d]));
    }
    Rz.push(r);
    if (n < L - 1) Rh.push(tf.mul(r, cache.d1[n]));
  }
  // R-backward, from the output down. Rg is R(∂L/∂x̂ⁿ), shape [k, B, dₙ] (null = zero).
  let Rg: tf.Tensor3D | null = gaussNewton
    ? tf.div(
      outputHessianProduct(point.objective.loss, cache.probabilities, Rz[L - 1]),
      point.objective.n,
    )
    : null;
  const pieces: tf.Tensor2D[] = [];
  for (let n = L - 1; n >= 0; n--) {
    const dOut = sizes[n + 1], dIn = sizes[n];
    let gradW: tf.Tensor2D | null = null, gradB: tf.Tensor2D | null = null;
    if (Rg) {
      const RgT = tf.reshape(tf.transpose(Rg, [0, 2, 1]), [k * dOut, B]) as tf.Tensor2D;
      gradW = tf.reshape(tf.matMul(RgT, cache.h[n]), [k, dOut * dIn]);
      gradB = tf.sum(Rg, 1);
    }
    if (residual && n > 0) {
      // gẑⁿᵀ Rhⁿ⁻¹: the weight gradient's dependence on the layer input.
      const rhBlocks = tf.reshape(tf.transpose(Rh[n - 1], [1, 0, 2]), [B, k * dIn]) as tf.Tensor2D;
      const term = tf.transpose(tf.reshape(tf.matMul(cache.gzT[n], rhBlocks), [dOut, k, dIn]), [
        1,
        0,
        2,
      ]);
      gradW = add(gradW, tf.reshape(term, [k, dOut * dIn]) as tf.Tensor2D);
    }
    pieces.unshift(gradW ?? tf.zeros([k, dOut * dIn]), gradB ?? tf.zeros([k, dOut]));
    if (n === 0) break;
    // R(∂L/∂hⁿ⁻¹) = Rgⁿ Aⁿ (+ gẑⁿ Vⁿ), then R(∂L/∂x̂ⁿ⁻¹) = σ′ ⊙ that (+ σ″ ⊙ Rẑ ⊙ ∂L/∂hⁿ⁻¹).
    let Rgh: tf.Tensor3D | null = Rg
      ? tf.reshape(tf.matMul(tf.reshape(Rg, [k * B, dOut]) as tf.Tensor2D, layers[n].weight), [
        k,
        B,
        dIn,
      ])
      : null;
    if (residual) Rgh = add(Rgh, blocksToBatch(tf.matMul(cache.gz[n], dirs[n].vRows), k, dIn));
    let next: tf.Tensor3D | null = Rgh ? tf.mul(Rgh, cache.d1[n - 1]) : null;
    if (residual && cache.d2[n - 1]) {
      next = add(next, tf.mul(Rz[n - 1], tf.mul(cache.d2[n - 1]!, cache.gh[n - 1])));
    }
    Rg = next;
  }
  return tf.concat(pieces, 1) as tf.Tensor2D;
}
