/**
 * Layerwise Jacobian alignment (SCIENCE.md §4): a(x) = ‖S¹‖₂ / Π_{n=1}^{L−1} ‖Jⁿ‖₂ ∈ (0, 1], its
 * per-layer factors αₙ (Π αₙ = a), the Frobenius variant, the variant including J⁰ = A¹, and
 * their aggregates over a set of inputs, as one flat table row for the training loop's hooks.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { MlpSpec } from "../model/layout.ts";
import {
  batchedGram,
  disposeFactors,
  firstLayerSensitivity,
  type JacobianFactors,
  jacobianFactors,
  validateInputs,
} from "./jacobians.ts";
import { type BatchedLanczosOptions, batchedTopEigenvalue } from "./batched_spectral_norm.ts";
import { jacobiEigen } from "../linalg/jacobi_eigen.ts";
import { type ReadProgram, runSync } from "../model/readback.ts";

/** How spectral norms are computed. */
export interface AlignmentOptions {
  /** Jacobians with a side of at most this many rows get an exact float64 eigen-solve (16). */
  exactBelow?: number;
  /** Batched Lanczos settings for wider Jacobians (tolerance 1e-5 relative on ‖Jⁿ‖₂²). */
  lanczos?: BatchedLanczosOptions;
  /** Samples measured at once, bounding memory (N·C·d₁ floats per chunk; default 2000). */
  chunkSize?: number;
}

/** Every per-sample quantity of the alignment measurement (arrays of length N). */
export interface PerSampleAlignment {
  /** a(x) = ‖S¹‖₂ / Π‖Jⁿ‖₂ (NaN where a layer Jacobian vanishes, e.g. all ReLUs off). */
  alignment: Float64Array;
  /** αₙ for n = 1..L−1 (index n − 1). */
  alphas: Float64Array[];
  /** ‖S¹‖₂. */
  s1Norm: Float64Array;
  /** ‖Jⁿ‖₂ for n = 1..L−1 (index n − 1). */
  layerNorms: Float64Array[];
  /** Π_{n=1}^{L−1} ‖Jⁿ‖₂. */
  gainProduct: Float64Array;
  /** ‖S¹‖_F / Π‖Jⁿ‖_F. */
  frobenius: Float64Array;
  /** ‖S¹A¹‖₂ / (‖A¹‖₂ Π‖Jⁿ‖₂): the variant that includes J⁰ = A¹. */
  withJ0: Float64Array;
  /** ‖A¹‖₂. */
  firstWeightNorm: number;
  /** Most Lanczos steps any layer needed (0 when every norm was exact). */
  lanczosSteps: number;
  /** False when some Lanczos run stopped at its step limit before reaching its tolerance. */
  lanczosConverged: boolean;
}

/**
 * Measures the alignment of every input row (inputs: N × d₀ row-major) for the MLP `spec` with
 * flat parameters θ, on this thread's backend (a training run measures through its objective
 * instead, shard by shard: science/model/objective.ts).
 */
export function alignmentPerSample(
  spec: MlpSpec,
  theta: Float32Array,
  inputs: Float32Array,
  options: AlignmentOptions = {},
): PerSampleAlignment {
  const count = validateInputs(spec, theta, inputs);
  const chunkSize = options.chunkSize ?? 2000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new Error(`chunkSize: must be a positive integer, got ${chunkSize}`);
  }
  const d0 = spec.sizes[0];
  const parts: PerSampleAlignment[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    const rows = inputs.subarray(start * d0, Math.min(count, start + chunkSize) * d0);
    parts.push(runSync(alignmentProgram(spec, theta, rows, options)));
  }
  return joinAlignment(parts);
}

/** The per-sample measurements of consecutive row blocks as one, in order. */
export function joinAlignment(parts: PerSampleAlignment[]): PerSampleAlignment {
  if (parts.length === 1) return parts[0];
  const count = parts.reduce((s, p) => s + p.alignment.length, 0);
  const join = (pick: (p: PerSampleAlignment) => Float64Array) => {
    const out = new Float64Array(count);
    let at = 0;
    for (const p of parts) (out.set(pick(p), at), at += pick(p).length);
    return out;
  };
  return {
    alignment: join((p) => p.alignment),
    alphas: parts[0].alphas.map((_, k) => join((p) => p.alphas[k])),
    s1Norm: join((p) => p.s1Norm),
    layerNorms: parts[0].layerNorms.map((_, k) => join((p) => p.layerNorms[k])),
    gainProduct: join((p) => p.gainProduct),
    frobenius: join((p) => p.frobenius),
    withJ0: join((p) => p.withJ0),
    firstWeightNorm: parts[0].firstWeightNorm,
    lanczosSteps: Math.max(...parts.map((p) => p.lanczosSteps)),
    lanczosConverged: parts.every((p) => p.lanczosConverged),
  };
}

/**
 * The alignment of every input row as a read-back program (science/model/readback.ts): the
 * Gram matrices of S¹ and S¹A¹, A¹'s and the Frobenius norms come back in one read, the
 * pulled-back directions' norms in a second, then each layer's spectral norms.
 */
export function* alignmentProgram(
  spec: MlpSpec,
  theta: Float32Array,
  inputs: Float32Array,
  options: AlignmentOptions,
): ReadProgram<PerSampleAlignment> {
  const exactBelow = options.exactBelow ?? 16;
  const f = jacobianFactors(spec, theta, inputs);
  const owned: tf.Tensor[] = [];
  try {
    const count = f.count, hidden = f.derivatives.length;
    const s1 = firstLayerSensitivity(f);
    const c = s1.shape[1];
    const a1Gram = smallerGram(f.weights[0]);
    owned.push(s1, a1Gram);
    const first = [batchedGram(s1), sensitivityGramWithFirstWeight(f, s1)];
    const frob = f.derivatives.map((d, k) => frobeniusSquares(d, f.weights[k + 1]));
    const [gramData, gram0Data, a1Data, ...frobData] = yield [...first, a1Gram, ...frob];
    tf.dispose([...first, ...frob]);
    const { s1Norm, s1Frob, u } = sensitivityNorms(gramData as Float32Array, count, c);
    const s0Norm = topRootsOfGrams(gram0Data as Float32Array, count, c);
    const firstWeightNorm = Math.sqrt(yield* matrixTopEigenvalue(a1Gram, a1Data, options.lanczos));
    const directions = backpropagatedDirections(f, u, c);
    owned.push(...directions.vectors);
    const directionNorms = (yield directions.norms).map((d) => Float64Array.from(d));
    tf.dispose(directions.norms);
    const layerNorms: Float64Array[] = [], alphas: Float64Array[] = [];
    let lanczosSteps = 0, lanczosConverged = true;
    for (let n = 1; n <= hidden; n++) {
      const start = directions.vectors[n - 1];
      const r = yield* layerNormsSquared(f, n, exactBelow, options.lanczos, start);
      lanczosSteps = Math.max(lanczosSteps, r.steps);
      lanczosConverged &&= r.converged;
      const norms = r.values.map(Math.sqrt);
      layerNorms.push(norms);
      // αₙ = ‖wⁿ‖ / (‖Jⁿ‖₂ ‖wⁿ⁺¹‖), with ‖wᴸ‖ = ‖u‖ = 1.
      const outer = n < hidden ? directionNorms[n] : null;
      alphas.push(directionNorms[n - 1].map((x, i) => x / (norms[i] * (outer ? outer[i] : 1))));
    }
    const frobNorms = frobData.map((d) => Float64Array.from(d, Math.sqrt));
    return {
      ...ratios(s1Norm, s1Frob, s0Norm, firstWeightNorm, layerNorms, frobNorms),
      alphas,
      s1Norm,
      layerNorms,
      firstWeightNorm,
      lanczosSteps,
      lanczosConverged,
    };
  } finally {
    tf.dispose(owned);
    disposeFactors(f);
  }
}

/** ‖S¹‖₂, ‖S¹‖_F and S¹'s top left singular vector u per sample, from its C×C Gram matrices. */
function sensitivityNorms(gram: Float32Array, count: number, c: number) {
  const s1Norm = new Float64Array(count), s1Frob = new Float64Array(count);
  const u = new Float32Array(count * c);
  for (let i = 0; i < count; i++) {
    const block = gram.subarray(i * c * c, (i + 1) * c * c);
    const eig = jacobiEigen(block, c);
    s1Norm[i] = Math.sqrt(Math.max(eig.values[0], 0));
    u.set(eig.vectors.subarray(0, c), i * c);
    for (let q = 0; q < c; q++) s1Frob[i] += block[q * c + q];
    s1Frob[i] = Math.sqrt(s1Frob[i]);
  }
  return { s1Norm, s1Frob, u };
}

/** a(x), the Frobenius variant and the variant with J⁰ per sample, and the gain products. */
function ratios(
  s1Norm: Float64Array,
  s1Frob: Float64Array,
  s0Norm: Float64Array,
  firstWeightNorm: number,
  layerNorms: Float64Array[],
  frobNorms: Float64Array[],
) {
  const count = s1Norm.length;
  const gainProduct = new Float64Array(count), alignment = new Float64Array(count);
  const frobenius = new Float64Array(count), withJ0 = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let gain = 1, frobGain = 1;
    for (let k = 0; k < layerNorms.length; k++) {
      gain *= layerNorms[k][i];
      frobGain *= frobNorms[k][i];
    }
    gainProduct[i] = gain;
    alignment[i] = gain > 0 ? s1Norm[i] / gain : NaN;
    frobenius[i] = frobGain > 0 ? s1Frob[i] / frobGain : NaN;
    withJ0[i] = gain > 0 ? s0Norm[i] / (firstWeightNorm * gain) : NaN;
  }
  return { alignment, gainProduct, frobenius, withJ0 };
}

/**
 * The aggregated alignment measurement as one flat row with stable column names: align_mean,
 * align_geomean, align_frob_mean, align_j0_mean, s1_norm_mean, gain_product_mean and
 * alpha_1 … alpha_{L−1} (means over the samples where a(x) is defined).
 */
export function alignmentSummary(
  spec: MlpSpec,
  theta: Float32Array,
  inputs: Float32Array,
  options: AlignmentOptions = {},
): Record<string, number> {
  return summariseAlignment(alignmentPerSample(spec, theta, inputs, options));
}

/** Aggregates a {@linkcode PerSampleAlignment} into the columns of {@linkcode alignmentSummary}. */
export function summariseAlignment(p: PerSampleAlignment): Record<string, number> {
  const keep = Array.from(p.alignment.keys()).filter((i) => Number.isFinite(p.alignment[i]));
  const mean = (xs: Float64Array) => keep.reduce((s, i) => s + xs[i], 0) / keep.length;
  const row: Record<string, number> = {
    align_mean: mean(p.alignment),
    align_geomean: Math.exp(keep.reduce((s, i) => s + Math.log(p.alignment[i]), 0) / keep.length),
    align_frob_mean: mean(p.frobenius),
    align_j0_mean: mean(p.withJ0),
    s1_norm_mean: mean(p.s1Norm),
    gain_product_mean: mean(p.gainProduct),
  };
  p.alphas.forEach((alpha, k) => row[`alpha_${k + 1}`] = mean(alpha));
  return row;
}

/** ‖Jⁿ‖₂² per sample: exact from the small Gram matrix when a side is narrow, else Lanczos. */
function* layerNormsSquared(
  f: JacobianFactors,
  n: number,
  exactBelow: number,
  lanczos: BatchedLanczosOptions | undefined,
  start: tf.Tensor2D,
): ReadProgram<{ values: Float64Array; steps: number; converged: boolean }> {
  const a = f.weights[n], d = f.derivatives[n - 1]; // Jⁿ = Aⁿ⁺¹ diag(d)
  const [rows, cols] = a.shape;
  if (Math.min(rows, cols) <= exactBelow) {
    const gram = tf.tidy(() =>
      rows <= cols ? batchedGram(tf.mul(a.expandDims(0), d.expandDims(1)) as tf.Tensor3D) : tf.mul(
        tf.matMul(a.transpose(), a).expandDims(0),
        tf.mul(d.expandDims(2), d.expandDims(1)),
      )
    );
    const [data] = yield [gram];
    gram.dispose();
    return {
      values: topOfGrams(data as Float32Array, f.count, Math.min(rows, cols)),
      steps: 0,
      converged: true,
    };
  }
  // JⁿᵀJⁿ v = d ⊙ ((d ⊙ v) AᵀA): one matmul per step with the precomputed AᵀA.
  const m = tf.tidy(() => tf.matMul(a.transpose(), a));
  try {
    return yield* batchedTopEigenvalue(
      (v) => tf.mul(d, tf.matMul(tf.mul(d, v), m)),
      f.count,
      cols,
      {
        ...lanczos,
        start,
      },
    );
  } finally {
    m.dispose();
  }
}

/** The top eigenvalue (≥ 0) of each of `count` k×k symmetric blocks. */
function topOfGrams(data: Float32Array, count: number, k: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.max(jacobiEigen(data.subarray(i * k * k, (i + 1) * k * k), k).values[0], 0);
  }
  return out;
}

/** The square roots of {@linkcode topOfGrams}: spectral norms from Gram matrices. */
function topRootsOfGrams(data: Float32Array, count: number, k: number): Float64Array {
  return topOfGrams(data, count, k).map(Math.sqrt);
}

/**
 * The top left singular vector u of S¹ pulled back through the layers: wᴸ = u,
 * wⁿ = Jⁿᵀwⁿ⁺¹ (index n − 1), with their norms (tensors, read back together). Then αₙ = ‖wⁿ‖ /
 * (‖Jⁿ‖₂ ‖wⁿ⁺¹‖), and the ratios telescope to ‖S¹ᵀu‖ / Π‖Jⁿ‖₂ = a(x). wⁿ also starts the
 * Lanczos run for ‖Jⁿ‖₂: it leans towards Jⁿ's top right singular vector, the more so the more
 * aligned the network is.
 */
function backpropagatedDirections(
  f: JacobianFactors,
  u: Float32Array,
  c: number,
): { vectors: tf.Tensor2D[]; norms: tf.Tensor1D[] } {
  const hidden = f.derivatives.length;
  const vectors: tf.Tensor2D[] = new Array(hidden), norms: tf.Tensor1D[] = new Array(hidden);
  const top = tf.tensor2d(u, [f.count, c]);
  let w = top;
  for (let n = hidden; n >= 1; n--) {
    const prev = w;
    w = tf.tidy(() => tf.mul(tf.matMul(prev, f.weights[n]), f.derivatives[n - 1]));
    vectors[n - 1] = w;
    norms[n - 1] = tf.norm(w, "euclidean", 1) as tf.Tensor1D;
  }
  top.dispose();
  return { vectors, norms };
}

/** The C×C Gram matrices S¹(A¹A¹ᵀ)S¹ᵀ, whose top eigenvalues are ‖S¹A¹‖₂². */
function sensitivityGramWithFirstWeight(f: JacobianFactors, s1: tf.Tensor3D): tf.Tensor3D {
  const [count, c, d1] = s1.shape;
  return tf.tidy(() => {
    const a = f.weights[0];
    const left = tf.matMul(s1.reshape([count * c, d1]), tf.matMul(a, a.transpose()));
    return tf.matMul(left.reshape([count, c, d1]), tf.transpose(s1, [0, 2, 1]));
  });
}

/** A Aᵀ or AᵀA, whichever is smaller: its top eigenvalue is ‖A‖₂². */
function smallerGram(a: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = a.shape;
  return tf.tidy(() => rows <= cols ? tf.matMul(a, a.transpose()) : tf.matMul(a.transpose(), a));
}

/** ‖A‖₂² from its smaller Gram matrix (read back as `data`): exact up to 64, else Lanczos. */
function* matrixTopEigenvalue(
  gram: tf.Tensor2D,
  data: ArrayLike<number>,
  lanczos: BatchedLanczosOptions | undefined,
): ReadProgram<number> {
  const k = gram.shape[0];
  if (k <= 64) return jacobiEigen(data as Float32Array, k).values[0];
  return (yield* batchedTopEigenvalue((v) => tf.matMul(v, gram), 1, k, lanczos)).values[0];
}

/** ‖Jⁿ‖_F² per sample: Σⱼ dⱼ² Σᵢ Aᵢⱼ² (N × 1). */
function frobeniusSquares(d: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.square(d), tf.sum(tf.square(a), 0).expandDims(1)));
}
