/**
 * Top eigenvalues of many symmetric PSD operators at once, by batched Lanczos in tfjs, for wide
 * ones that exist only as products (small matrices go to science/linalg/jacobi_eigen.ts).
 * Spectral norms of per-sample Jacobians are square roots of these eigenvalues. It is a read-back
 * program (science/model/readback.ts): every CHECK_EVERY steps it reads that many steps' Lanczos
 * coefficients back at once, to test convergence.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../util/rng.ts";
import type { ReadProgram } from "../model/readback.ts";

/** Options of {@linkcode batchedTopEigenvalue}. */
export interface BatchedLanczosOptions {
  /** Stop when every sample's top Ritz value changed by at most this, relatively, over a check. */
  tolerance?: number;
  /** Most Lanczos steps (default min(d, 200)). */
  maxSteps?: number;
  /** Seed of the random start vectors. */
  seed?: number;
  /**
   * A guess of each sample's top eigenvector (N × d). It is mixed half-and-half with the random
   * start, so that a guess orthogonal to the top eigenvector can never hide it.
   */
  start?: tf.Tensor2D;
}

/** The top eigenvalue of each sample's operator and how the iteration ended. */
export interface BatchedEigenResult {
  values: Float64Array;
  steps: number;
  converged: boolean;
}

const CHECK_EVERY = 4;

/**
 * The largest eigenvalue of N symmetric PSD d×d operators at once by Lanczos: `apply` maps a
 * batch of vectors (N×d, row i for sample i) to their images. No reorthogonalisation: in finite
 * precision it only duplicates converged Ritz values (Paige), which leaves the top one intact.
 */
export function* batchedTopEigenvalue(
  apply: (v: tf.Tensor2D) => tf.Tensor2D,
  count: number,
  dim: number,
  options: BatchedLanczosOptions = {},
): ReadProgram<BatchedEigenResult> {
  const tolerance = options.tolerance ?? 1e-5;
  const maxSteps = Math.min(options.maxSteps ?? 200, dim);
  if (!(tolerance > 0)) throw new Error(`lanczos: tolerance must be > 0, got ${tolerance}`);
  const rng = new Rng(options.seed ?? 1);
  const start = new Float32Array(count * dim);
  for (let i = 0; i < start.length; i++) start[i] = rng.normal();
  let v = tf.tidy(() => {
    const random = normaliseRows(tf.tensor2d(start, [count, dim]));
    return options.start ? normaliseRows(tf.add(random, normaliseRows(options.start))) : random;
  });
  let vPrev: tf.Tensor2D | null = null;
  let betaPrev: tf.Tensor2D | null = null;
  const alphaT: tf.Tensor2D[] = [], betaT: tf.Tensor2D[] = [];
  const alphas: Float32Array[] = [], betas: Float32Array[] = [];
  let previous: Float64Array | null = null;
  let values: Float64Array = new Float64Array(count);
  let steps = 0, converged = false;
  try {
    for (let j = 0; j < maxSteps; j++) {
      const [alpha, beta, next] = tf.tidy(() => {
        let w = apply(v);
        const alpha = tf.sum(tf.mul(w, v), 1, true) as tf.Tensor2D;
        w = tf.sub(w, tf.mul(alpha, v));
        if (vPrev && betaPrev) w = tf.sub(w, tf.mul(betaPrev, vPrev));
        const beta = tf.sqrt(tf.sum(tf.square(w), 1, true)) as tf.Tensor2D;
        // An invariant subspace (β ≈ 0) ends that sample's Krylov space: continue with zeros.
        const next = tf.div(w, tf.maximum(beta, 1e-30)) as tf.Tensor2D;
        return [alpha, beta, next];
      });
      alphaT.push(alpha);
      betaT.push(beta);
      vPrev?.dispose();
      vPrev = v;
      betaPrev = beta;
      v = next;
      steps = j + 1;
      if (steps % CHECK_EVERY !== 0 && steps !== maxSteps) continue;
      const read = yield [...alphaT.slice(alphas.length), ...betaT.slice(betas.length)];
      const fresh = read.length / 2;
      alphas.push(...read.slice(0, fresh) as Float32Array[]);
      betas.push(...read.slice(fresh) as Float32Array[]);
      values = topRitzValues(alphas, betas, count);
      if (previous && values.every((x, i) => Math.abs(x - previous![i]) <= tolerance * x)) {
        converged = true;
        break;
      }
      previous = values;
    }
  } finally {
    tf.dispose([v, ...(vPrev ? [vPrev] : []), ...alphaT, ...betaT]);
  }
  return { values, steps, converged: converged || steps === dim };
}

function normaliseRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-30));
}

/** Top eigenvalue of each sample's tridiagonal Lanczos matrix, by Sturm-sequence bisection. */
function topRitzValues(alphas: Float32Array[], betas: Float32Array[], count: number): Float64Array {
  const m = alphas.length;
  const out = new Float64Array(count);
  const a = new Float64Array(m), b = new Float64Array(m);
  for (let i = 0; i < count; i++) {
    let hi = 0;
    for (let j = 0; j < m; j++) {
      a[j] = alphas[j][i];
      b[j] = j < m - 1 ? betas[j][i] : 0;
    }
    for (let j = 0; j < m; j++) {
      hi = Math.max(hi, a[j] + Math.abs(b[j]) + (j > 0 ? Math.abs(b[j - 1]) : 0)); // Gershgorin
    }
    let lo = 0;
    // Eigenvalues above x = number of negative pivots of T − xI subtracted from m.
    for (let it = 0; it < 100 && hi - lo > 1e-13 * hi; it++) {
      const x = 0.5 * (lo + hi);
      if (countAbove(a, b, x) > 0) lo = x;
      else hi = x;
    }
    out[i] = 0.5 * (lo + hi);
  }
  return out;
}

function countAbove(a: Float64Array, b: Float64Array, x: number): number {
  let above = 0, d = 1;
  for (let j = 0; j < a.length; j++) {
    const off = j > 0 ? b[j - 1] * b[j - 1] : 0;
    d = a[j] - x - (j > 0 ? off / d : 0);
    if (d === 0) d = 1e-300;
    if (d > 0) above++;
  }
  return above;
}
