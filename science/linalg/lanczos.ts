/**
 * Top-k eigenpairs of a symmetric operator known only through products (SCIENCE.md §2): block Lanczos
 * with full reorthogonalisation and Rayleigh–Ritz on the Krylov basis, in float64.
 *
 * A block of b vectors is applied per iteration (the operator may batch them); b = 1 is classic
 * Lanczos. Warm starts pass the previous eigenvectors as the first block. A basis that reaches
 * `maxBasis` vectors is restarted from its best Ritz vectors (thick restart), so the solver's own
 * work per application stays bounded. Iterations stop when every wanted Ritz pair has
 * ‖Av − θv‖ ≤ tolerance · max|θ| (max over all Ritz values seen, an estimate of ‖A‖; for pairs
 * wanted for their value only, the bound ‖Av − θv‖²/gap on θ's error, or |θ| + ‖Av − θv‖ below a
 * caller's cutoff), when the basis spans an invariant subspace, or at the iteration cap.
 *
 * Per iteration the solver touches only the basis and the newest products: their remainder
 * outside the basis becomes the next block by a small QR (science/linalg/block_orthonormalise.ts), and
 * that factor gives both the Ritz residuals and, by symmetry, the next products' coefficients
 * along the block before; no product is stored. Working vectors come from a pool, which callers
 * that solve repeatedly share between calls.
 *
 * @module
 */
import {
  combineInPlace,
  innerProducts,
  linearCombinations,
  norm,
  subtractCombinations,
} from "./basis_algebra.ts";
import { symmetricEigen } from "./dense_eigen.ts";
import { gramSchmidt, orthonormaliseBlock } from "./block_orthonormalise.ts";
import { Rng } from "../../util/rng.ts";
import { VectorPool } from "./vector_pool.ts";

/** A symmetric linear operator of dimension `dim`, applied to several vectors at once. */
export interface SymmetricOperator {
  dim: number;
  apply(vectors: Float64Array[]): ArrayLike<number>[];
}

/** How "top" is meant: largest algebraic value, or largest magnitude (signed values returned). */
export type EigenOrder = "algebraic" | "magnitude";

/** Options of {@linkcode lanczosTopK}. */
export interface LanczosOptions {
  /** Number of eigenpairs wanted. */
  k: number;
  /** Default `algebraic`. */
  order?: EigenOrder;
  /** Relative residual tolerance (see the module doc); default 1e-4. */
  tolerance?: number;
  /** Cap on block iterations; default 100. */
  maxIterations?: number;
  /** Warm-start vectors (e.g. the previous eigenvectors); they form the first block. */
  start?: readonly ArrayLike<number>[];
  /** Vectors per block; default the number of start vectors, or 1 when there are none. */
  blockSize?: number;
  /**
   * How many of the last wanted pairs are needed for their eigenvalue only (default 0): those
   * converge when the bound ‖r‖²/gap on their Ritz value's error is ≤ tolerance · max|θ| (gap: the
   * distance to the nearest other Ritz value), well before their vectors do.
   */
  valueOnly?: number;
  /**
   * A magnitude below which the value-only pairs are not needed (default none): a caller that
   * only compares them with it, like a step size min(η, 1/|λ|), is served once |θ| + ‖r‖ is
   * below it (an eigenvalue lies within ‖r‖ of θ), however loose θ's error bound still is.
   */
  valueCutoff?: number;
  /**
   * Basis size at which the solver restarts, keeping the best half of its Ritz vectors (thick
   * restart): it bounds memory and the solver's own work per iteration, O(maxBasis · dim);
   * default max(24, 2·(k + blockSize)); at least k + 2·blockSize.
   */
  maxBasis?: number;
  /** Source of random start vectors (default: a fixed seed, so results are reproducible). */
  rng?: Rng;
  /**
   * Where the solver's working vectors come from and return to (default: a pool for this call
   * only). A caller that solves repeatedly, like a solver at every step, passes one pool so the
   * vectors are allocated once.
   */
  workspace?: VectorPool;
}

/** The result of {@linkcode lanczosTopK}. */
export interface EigenResult {
  /** The k eigenvalue estimates, in the requested order. */
  values: number[];
  /** Unit eigenvector estimates. */
  vectors: Float64Array[];
  /**
   * ‖Av − λv‖ of each pair, as the Lanczos relation gives it (exact in exact arithmetic; it does
   * not see an operator's own asymmetry, such as float32 rounding of its products).
   */
  residuals: number[];
  /** Number of single-vector operator applications. */
  applications: number;
  iterations: number;
  converged: boolean;
}

const DEFAULT_SEED = 0x1a2c05;
const DEFAULT_MAX_BASIS = 24;
/** A reorthogonalisation pass that keeps no more than this fraction of a norm is repeated. */
const DGKS_RATIO = Math.SQRT1_2;

/**
 * The smallest valid `maxBasis` for k pairs in blocks of `blockSize`: a restart keeps k Ritz
 * vectors and must leave room for two more blocks.
 */
export function smallestMaxBasis(k: number, blockSize: number): number {
  return k + 2 * blockSize;
}

/** Computes the top-k eigenpairs of `op`. */
export function lanczosTopK(op: SymmetricOperator, options: LanczosOptions): EigenResult {
  const { dim } = op;
  const k = options.k, order = options.order ?? "algebraic";
  const tolerance = options.tolerance ?? 1e-4, maxIterations = options.maxIterations ?? 100;
  if (!Number.isInteger(k) || k < 1 || k > dim) {
    throw new Error(`lanczos.k: must be an integer in 1..${dim}, got ${k}`);
  }
  if (order !== "algebraic" && order !== "magnitude") {
    throw new Error(`lanczos.order: "${order}" is not one of algebraic, magnitude`);
  }
  if (!(tolerance > 0)) throw new Error(`lanczos.tolerance: must be > 0, got ${tolerance}`);
  const start = options.start ?? [];
  start.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`lanczos.start[${i}]: length ${v.length}, not ${dim}`);
  });
  const blockSize = Math.min(options.blockSize ?? Math.max(start.length, 1), dim);
  const valueOnly = options.valueOnly ?? 0;
  if (!Number.isInteger(valueOnly) || valueOnly < 0 || valueOnly >= k) {
    throw new Error(`lanczos.valueOnly: must be an integer in 0..${k - 1}, got ${valueOnly}`);
  }
  const valueCutoff = options.valueCutoff ?? 0;
  if (!(valueCutoff >= 0)) {
    throw new Error(`lanczos.valueCutoff: must be a number ≥ 0, got ${options.valueCutoff}`);
  }
  const maxBasis = options.maxBasis ?? Math.max(DEFAULT_MAX_BASIS, 2 * (k + blockSize));
  const smallestBasis = smallestMaxBasis(k, blockSize);
  if (!Number.isInteger(maxBasis) || maxBasis < smallestBasis) {
    throw new Error(
      `lanczos.maxBasis: must be an integer ≥ k + 2·blockSize = ${smallestBasis}, got ${maxBasis}`,
    );
  }
  const pool = options.workspace ?? new VectorPool(dim);
  if (pool.dim !== dim) throw new Error(`lanczos.workspace: holds length ${pool.dim}, not ${dim}`);
  const rng = options.rng ?? new Rng(DEFAULT_SEED);
  const randomVector = () => {
    const v = pool.take();
    for (let i = 0; i < dim; i++) v[i] = rng.normal();
    // Draw normals in pairs so no spare is pending: Rng.state() then captures everything.
    if (dim % 2 === 1) rng.normal();
    return v;
  };

  const Q: Float64Array[] = [];
  let T: number[][] = [];
  // Warm-start vectors are nearly orthonormal, which Cholesky QR settles in two passes over them;
  // random vectors fill the block where they are fewer than blockSize or dependent.
  const warm = start.slice(0, blockSize).map((v) => pool.copyOf(v));
  let block = warm.length > 0 ? orthonormaliseBlock(warm, warm.map(norm), pool).vectors : [];
  if (block.length < blockSize) {
    block = gramSchmidt(block, Q, blockSize, randomVector, 0, pool).vectors;
  }
  let applications = 0, iterations = 0, converged = false, scale = Number.MIN_VALUE;
  // The block before the newest and the factor U of the remainder that became the newest block
  // (null after a restart or a random vector): the newest products' coefficients along it.
  let recurrence: Recurrence | null = null;
  let ritz: RitzPairs = { values: [], coeffs: [], all: [] }, residuals: number[] = [];
  try {
    while (block.length > 0 && iterations < maxIterations) {
      const products = op.apply(block).map((p) => pool.copyOf(p));
      applications += block.length;
      iterations++;
      const first = Q.length;
      Q.push(...block);
      // The new columns Qᵢ·(AQ)ⱼ of T = Qᵀ(AQ); the products are left holding their remainder R
      // outside the basis, which is the next block: R = next·U.
      const split = splitOffBasis(products, Q, recurrence);
      const bad = split.productNorms.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) {
        throw new Error(
          `lanczos: the operator's product ${bad} at iteration ${iterations} is not finite ` +
            `(NaN or ±Inf entries)`,
        );
      }
      T = extendProjection(T, split.coefficients, first);
      ritz = rayleighRitz(T, order, k);
      // max|θ| over every Ritz value seen estimates ‖A‖ (a restart may drop the largest).
      scale = Math.max(scale, ...ritz.all.map(Math.abs));
      const next = orthonormaliseBlock(products, split.productNorms, pool);
      block = next.vectors;
      // A·(Qs) − θ·Qs = R·s_new for a Ritz pair (θ, s), s_new its coordinates on the newest
      // block, so its residual is ‖U·s_new‖: no product is stored or recombined.
      residuals = ritz.coeffs.map((s) => blockResidual(next.factor, s, first));
      const enough = ritz.values.length === k;
      converged = enough &&
        residuals.every((r, i) =>
          i < k - valueOnly
            ? r <= tolerance * scale
            : valueError(r, i, ritz) <= tolerance * scale ||
              Math.abs(ritz.values[i]) + r < valueCutoff
        );
      if (converged || Q.length >= dim || iterations >= maxIterations) break;
      recurrence = { from: first, factor: next.factor };
      if (Q.length + block.length > maxBasis) {
        // Thick restart: keep the best Ritz vectors; the next block stays orthogonal to their span.
        const kept = rayleighRitz(T, order, Math.max(k, Math.floor(maxBasis / 2)));
        combineInPlace(Q, kept.coeffs);
        pool.give(...Q.splice(kept.coeffs.length));
        T = kept.values.map((v, i) => kept.values.map((_, j) => (i === j ? v : 0)));
        recurrence = null;
      }
      if (block.length === 0 && !enough) {
        block = gramSchmidt([], Q, 1, randomVector, 2, pool).vectors;
        recurrence = null;
      }
    }
    if (Q.length >= dim || block.length === 0) converged = ritz.values.length === k;
    const vectors = linearCombinations(Q, ritz.coeffs, dim);
    return { values: ritz.values, vectors, residuals, applications, iterations, converged };
  } finally {
    // Q holds the block too if an error cut the iteration short: give each vector back once.
    pool.give(...new Set([...Q, ...block]));
  }
}

/**
 * The block before the newest (basis vectors from `from` on) and the factor of the remainder
 * that became the newest block.
 */
interface Recurrence {
  from: number;
  factor: number[][];
}

/**
 * Splits the products of the newest block, in place, into their coefficients along the basis Q
 * (which already holds that block), returned, and a remainder orthogonal to Q, left in
 * `products`; also returns the products' norms. The bulk of each product lies along the newest
 * two blocks (the Lanczos recurrence). Its coefficients along the block before are known by
 * symmetry: qₗ·(A·q′ᵢ) = (A·qₗ)·q′ᵢ = U[l][i], the factor of the remainder that became the
 * newest block. One pass over the whole basis then restores orthogonality lost to rounding (and
 * corrects those coefficients by the operator's own asymmetry), repeated when it removed much
 * (Daniel–Gragg–Kaufman–Stewart).
 */
function splitOffBasis(products: Float64Array[], Q: Float64Array[], recurrence: Recurrence | null) {
  const first = Q.length - products.length, from = recurrence?.from ?? 0;
  const computed = innerProducts(Q.slice(recurrence ? first : 0), products);
  const coefficients = computed.map((c, j) => {
    const full = new Float64Array(Q.length);
    full.set(c, recurrence ? first : 0);
    recurrence?.factor.forEach((row, l) => (full[from + l] = row[j]));
    return full;
  });
  subtractCombinations(products, Q.slice(from), coefficients.map((c) => c.subarray(from)));
  let before = products.map(norm);
  // The local part and the remainder are orthogonal, so ‖product‖² = ‖coefficients‖² + ‖R‖².
  const productNorms = coefficients.map((c, j) => Math.hypot(before[j], ...c));
  for (let pass = 0; pass < 2; pass++) {
    const correction = innerProducts(Q, products);
    subtractCombinations(products, Q, correction);
    correction.forEach((c, j) => c.forEach((x, i) => (coefficients[j][i] += x)));
    // The pass removed ‖c‖ of ‖r‖, leaving √(‖r‖² − ‖c‖²): repeat if that is ≤ ‖r‖/√2.
    const removed = correction.map((c) => c.reduce((s, x) => s + x * x, 0));
    if (removed.every((c2, j) => c2 < (1 - DGKS_RATIO ** 2) * before[j] ** 2)) break;
    before = products.map(norm);
  }
  return { coefficients, productNorms };
}

/**
 * The a-posteriori bound ‖r‖²/gap on the error of Ritz value i (gap: its distance to the nearest
 * other Ritz value), never above ‖r‖, which always bounds the distance to some eigenvalue.
 */
function valueError(residual: number, i: number, ritz: RitzPairs): number {
  const theta = ritz.values[i];
  let gap = Infinity, skipped = false;
  for (const other of ritz.all) {
    // Skip θ itself once (a tie with another Ritz value counts as gap 0).
    if (other === theta && !skipped) skipped = true;
    else gap = Math.min(gap, Math.abs(other - theta));
  }
  return Math.min(residual, (residual * residual) / gap);
}

/** T extended by the columns Qᵢ·(AQ)ⱼ of the new vectors j ≥ first (symmetrised). */
function extendProjection(T: number[][], coefficients: Float64Array[], first: number) {
  const m = first + coefficients.length;
  const out = Array.from(
    { length: m },
    (_, i) => Array.from({ length: m }, (_, j) => T[i]?.[j] ?? 0),
  );
  coefficients.forEach((col, b) => {
    const j = first + b;
    for (let i = 0; i <= j; i++) {
      const v = i >= first ? (col[i] + coefficients[i - first][j]) / 2 : col[i];
      out[i][j] = out[j][i] = v;
    }
  });
  return out;
}

interface RitzPairs {
  /** The chosen Ritz values, in the requested order. */
  values: number[];
  /** Their coordinates in the basis. */
  coeffs: Float64Array[];
  /** Every Ritz value. */
  all: number[];
}

function rayleighRitz(T: number[][], order: EigenOrder, k: number): RitzPairs {
  const m = T.length;
  const { values, vectors } = symmetricEigen(T.flat(), m);
  const idx = values.map((_, i) => i);
  if (order === "magnitude") idx.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
  const chosen = idx.slice(0, Math.min(k, m));
  return {
    values: chosen.map((i) => values[i]),
    coeffs: chosen.map((i) => vectors[i]),
    all: values,
  };
}

/** ‖Σⱼ s[first + j]·factorⱼ‖: a Ritz pair's residual from the remainder's factor U. */
function blockResidual(factor: number[][], s: Float64Array, first: number): number {
  const sum = new Float64Array(factor[0]?.length ?? 0);
  factor.forEach((column, j) => column.forEach((u, i) => (sum[i] += s[first + j] * u)));
  return Math.hypot(...sum);
}
