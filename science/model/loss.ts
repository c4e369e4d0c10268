/**
 * The per-example losses of SCIENCE.md §1 on network outputs z, with the derivatives the curvature code
 * needs: g = ∂l/∂z and Q·r = (∂²l/∂z²)·r. Cross-entropy is logsumexp(z) − ⟨y, z⟩, exact to
 * second order by construction; MSE is c·Σ_q (z_q − y_q)² with c = 1 (the authors' convention,
 * `mse`) or c = ½ (`mse_half`, Cohen et al.).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The supported losses. */
export const LOSS_KINDS = ["mse", "mse_half", "cross_entropy"] as const;

/** One of {@linkcode LOSS_KINDS}. */
export type LossKind = typeof LOSS_KINDS[number];

/** Throws a clear error unless `kind` is a known loss. */
export function validateLossKind(kind: string): asserts kind is LossKind {
  if (!(LOSS_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`loss: "${kind}" is not one of ${LOSS_KINDS.join(", ")}`);
  }
}

/**
 * Targets as an N × C float32 matrix: labels (Int32Array, one-hot encoded) or a matrix of N·C
 * values (soft targets, or regression targets for MSE).
 */
export function targetMatrix(y: Int32Array | Float32Array, n: number, classes: number) {
  if (y instanceof Int32Array) {
    if (y.length !== n) throw new Error(`y: ${y.length} labels for ${n} examples`);
    const out = new Float32Array(n * classes);
    y.forEach((label, i) => {
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        throw new Error(`y: label ${label} of example ${i} is outside 0..${classes - 1}`);
      }
      out[i * classes + label] = 1;
    });
    return out;
  }
  if (y.length !== n * classes) {
    throw new Error(`y: ${y.length} target values, expected N·C = ${n}·${classes}`);
  }
  return y;
}

function mseScale(kind: LossKind): number {
  return kind === "mse_half" ? 0.5 : 1;
}

/** l(zᵢ, yᵢ) for each row (B values). */
export function perExampleLoss(kind: LossKind, z: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    if (kind === "cross_entropy") {
      const m = tf.max(z, 1, true);
      const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(z, m)), 1)), tf.squeeze(m, [1]));
      return tf.sub(lse, tf.sum(tf.mul(y, z), 1)) as tf.Tensor1D;
    }
    return tf.mul(mseScale(kind), tf.sum(tf.squaredDifference(z, y), 1)) as tf.Tensor1D;
  });
}

/** g = ∂l/∂z for each row (B × C). */
export function outputGradient(kind: LossKind, z: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() =>
    kind === "cross_entropy"
      ? tf.sub(tf.softmax(z), y) as tf.Tensor2D
      : tf.mul(2 * mseScale(kind), tf.sub(z, y)) as tf.Tensor2D
  );
}

/**
 * Q·r per example, Q = ∂²l/∂z² at z, for directions r of shape [k, B, C] (k vectors at once).
 * `probabilities` is softmax(z) (B × C) for cross-entropy, ignored for MSE.
 */
export function outputHessianProduct(
  kind: LossKind,
  probabilities: tf.Tensor2D | null,
  r: tf.Tensor3D,
): tf.Tensor3D {
  return tf.tidy(() => {
    if (kind !== "cross_entropy") return tf.mul(2 * mseScale(kind), r) as tf.Tensor3D;
    // Q = diag(p) − p pᵀ, so Q r = p ⊙ (r − ⟨p, r⟩).
    const p = probabilities!;
    return tf.mul(p, tf.sub(r, tf.sum(tf.mul(p, r), 2, true))) as tf.Tensor3D;
  });
}

/** Number of rows whose largest output is at the position of the largest target (a float32 scalar). */
export function correctCount(z: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), tf.argMax(y, 1)), "float32")));
}
