/**
 * Top-k eigenpairs of a symmetric operator known only through products (SCIENCE.md §2): block Lanczos
 * with full reorthogonalisation and Rayleigh–Ritz on the Krylov basis, in float64.
 *
 * A block of b vectors is applied per iteration (the operator may batch them); b = 1 is classic
 * Lanczos. Warm starts pass the previous eigenvectors as the first block. A basis that reaches
 * `maxBasis` vectors is restarted from its best Ritz vectors (thick restart), so the solver's own
 * work per application stays bounded.
 *
 * Per iteration the solver touches only the basis and the newest products: their remainder
 * outside the basis becomes the next block by a small QR (science/linalg/block_orthonormalise.ts),
 * and that factor gives both the Ritz residuals and, by symmetry, the next products' coefficients
 * along the block before; no product is stored. Working vectors come from a pool, which callers
 * that solve repeatedly share between calls.
 *
 * Convergence. Iterations stop when every wanted Ritz pair (θ, v) meets its test, when the basis
 * spans an invariant subspace, or at the iteration cap (then `converged` is false). What a residual
 * r = ‖Av − θv‖ proves: some eigenvalue of A lies in [θ − r, θ + r] (and a small r, a good vector).
 * What the Krylov basis proves on its own: the j-th largest Ritz value never exceeds the j-th
 * largest eigenvalue (Cauchy interlacing), so in magnitude |θ_j| ≤ |λ_j| for every j, whatever the
 * basis. Together: when θ_j is the Ritz value of λ_j, |λ_j| lies in [|θ_j|, |θ_j| + r_j]. No
 * test on products can prove that it is, i.e. that the basis has not missed an eigenvector
 * altogether (one orthogonal to it is invisible); the tests below therefore accept only Ritz pairs
 * that have converged (small r), whose error they bound without assuming anything about the
 * eigenvalues the basis has not seen, and a missed eigenvalue remains as unlikely as for any
 * Krylov solver (it would have to stay hidden while a less extreme one converged).
 * - A pair wanted for its vector: r ≤ tolerance · max|θ| (max over all Ritz values seen, an
 *   estimate of ‖A‖).
 * - A pair wanted for its value only (`valueOnly`, e.g. EE's λ_{k+1}, which sets a step
 *   1/|λ_{k+1}|): r ≤ tolerance · |θ|, so that |λ| ∈ [|θ|, |θ|(1 + tolerance)] and 1/|θ| is never
 *   shorter than 1/|λ| nor longer by more than that factor; or, with `valueCutoff`, once the pair
 *   passes the vector test and |θ| + r ≤ valueCutoff, where the caller needs only to know that
 *   |λ| is below the cutoff. (A bound r²/gap with gap the distance to the nearest other Ritz value
 *   is not used: an eigenvalue the basis has not yet found can lie nearer θ than any Ritz value.)
 *
 * @example Top two eigenvalues of a 5 × 5 diagonal matrix, to 1e-10 of the largest
 * ```ts
 * import { assert, assertAlmostEquals } from "@std/assert";
 * import { lanczosTopK, type SymmetricOperator } from "./lanczos.ts";
 *
 * const diagonal = [5, -7, 3, 2, 1];
 * const op: SymmetricOperator = {
 *   dim: diagonal.length,
 *   apply: (vectors) => vectors.map((v) => v.map((x, i) => diagonal[i] * x)),
 * };
 * const top = lanczosTopK(op, { k: 2, tolerance: 1e-10 });
 * assert(top.converged);
 * assertAlmostEquals(top.values[0], 5, 1e-8);
 * assertAlmostEquals(top.values[1], 3, 1e-8);
 * // By magnitude, signed values are returned: −7 first.
 * const largest = lanczosTopK(op, { k: 1, order: "magnitude", tolerance: 1e-10 });
 * assertAlmostEquals(largest.values[0], -7, 1e-8);
 * ```
 *
 * @module
 */
import { combineInPlace, linearCombinations, norm } from "./basis_algebra.ts";
import {
  blockResidual,
  extendProjection,
  rayleighRitz,
  type Recurrence,
  type RitzPairs,
  splitOffBasis,
} from "./_lanczos_steps.ts";
import { gramSchmidt, type OrthonormalBlock, orthonormaliseBlock } from "./block_orthonormalise.ts";
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
   * converge when ‖r‖ ≤ tolerance · |θ|, which bounds their eigenvalue's error relative to itself
   * (see the module doc).
   */
  valueOnly?: number;
  /**
   * A magnitude below which the value-only pairs are not needed (default none): a caller that
   * only compares them with it, like a step size min(η, 1/|λ|), is served by a value-only pair
   * that passes the vector test with |θ| + ‖r‖ ≤ valueCutoff.
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
  /** max|θ| over every Ritz value seen: the estimate of ‖A‖ the residual tests are relative to. */
  scale: number;
  /** Number of single-vector operator applications. */
  applications: number;
  iterations: number;
  /** Whether every wanted pair met its test (module doc); false at the iteration cap. */
  converged: boolean;
}

const DEFAULT_SEED = 0x1a2c05;
const DEFAULT_MAX_BASIS = 24;

/**
 * The smallest valid `maxBasis` for k pairs in blocks of `blockSize`: a restart keeps k Ritz
 * vectors and must leave room for two more blocks.
 */
export function smallestMaxBasis(k: number, blockSize: number): number {
  return k + 2 * blockSize;
}

/** Computes the top-k eigenpairs of `op` (see the module doc). */
export function lanczosTopK(op: SymmetricOperator, options: LanczosOptions): EigenResult {
  const solve = new BlockLanczos(op, resolveOptions(op.dim, options));
  try {
    solve.iterate();
    return solve.result();
  } finally {
    solve.release();
  }
}

/** {@linkcode LanczosOptions} validated, with every default filled in. */
interface Resolved {
  k: number;
  order: EigenOrder;
  tolerance: number;
  maxIterations: number;
  start: readonly ArrayLike<number>[];
  blockSize: number;
  valueOnly: number;
  valueCutoff: number;
  maxBasis: number;
  rng: Rng;
  pool: VectorPool;
}

/** Checks every option (errors name the field), and fills in the defaults. */
function resolveOptions(dim: number, options: LanczosOptions): Resolved {
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
  return {
    k,
    order,
    tolerance,
    maxIterations,
    start,
    blockSize,
    valueOnly,
    valueCutoff,
    maxBasis,
    rng,
    pool,
  };
}

/** Whether wanted Ritz pair i meets its test (module doc), given its residual. */
function pairConverged(o: Resolved, ritz: RitzPairs, i: number, r: number, scale: number) {
  const vectorTest = r <= o.tolerance * scale;
  if (i < o.k - o.valueOnly) return vectorTest;
  const magnitude = Math.abs(ritz.values[i]);
  return r <= o.tolerance * magnitude || (vectorTest && magnitude + r <= o.valueCutoff);
}

/** One solve's state: the basis Q, the projection T = QᵀAQ, the next block, the Ritz pairs. */
class BlockLanczos {
  readonly #op: SymmetricOperator;
  readonly #o: Resolved;
  #Q: Float64Array[] = [];
  #T: number[][] = [];
  #block: Float64Array[] = [];
  /**
   * The block before the newest and the factor U of the remainder that became the newest block
   * (null after a restart or a random vector): the newest products' coefficients along it.
   */
  #recurrence: Recurrence | null = null;
  #ritz: RitzPairs = { values: [], coeffs: [], all: [] };
  #residuals: number[] = [];
  #scale = Number.MIN_VALUE;
  #applications = 0;
  #iterations = 0;
  #converged = false;

  constructor(op: SymmetricOperator, o: Resolved) {
    this.#op = op;
    this.#o = o;
    this.#block = this.#startBlock();
  }

  /** Block iterations until convergence, an invariant subspace or the cap. */
  iterate(): void {
    const { k, maxIterations } = this.#o, dim = this.#op.dim;
    while (this.#block.length > 0 && this.#iterations < maxIterations) {
      const first = this.#Q.length;
      const next = this.#extend();
      this.#block = next.vectors;
      const enough = this.#ritz.values.length === k;
      this.#converged = enough &&
        this.#residuals.every((r, i) => pairConverged(this.#o, this.#ritz, i, r, this.#scale));
      if (this.#converged || this.#Q.length >= dim || this.#iterations >= maxIterations) break;
      this.#recurrence = { from: first, factor: next.factor };
      if (this.#Q.length + this.#block.length > this.#o.maxBasis) this.#restart();
      if (this.#block.length === 0 && !enough) {
        this.#block = gramSchmidt([], this.#Q, 1, () => this.#randomVector(), 2, this.#o.pool)
          .vectors;
        this.#recurrence = null;
      }
    }
    // The basis spans an invariant subspace: its Ritz pairs are exact.
    if (this.#Q.length >= dim || this.#block.length === 0) {
      this.#converged = this.#ritz.values.length === k;
    }
  }

  /**
   * One block iteration: the products of the newest block, T extended by them, the Ritz pairs
   * and their residuals; returns the next block (the products' remainder outside the basis,
   * orthonormalised) with its factor.
   */
  #extend(): OrthonormalBlock {
    const { pool, order, k } = this.#o, block = this.#block;
    const products = this.#op.apply(block).map((p) => pool.copyOf(p));
    this.#applications += block.length;
    this.#iterations++;
    const first = this.#Q.length;
    this.#Q.push(...block);
    // The new columns Qᵢ·(AQ)ⱼ of T = Qᵀ(AQ); the products are left holding their remainder R
    // outside the basis, which is the next block: R = next·U.
    const split = splitOffBasis(products, this.#Q, this.#recurrence);
    const bad = split.productNorms.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      pool.give(...products);
      throw new Error(
        `lanczos: the operator's product ${bad} at iteration ${this.#iterations} is not finite ` +
          `(NaN or ±Inf entries)`,
      );
    }
    this.#T = extendProjection(this.#T, split.coefficients, first);
    this.#ritz = rayleighRitz(this.#T, order, k);
    // max|θ| over every Ritz value seen estimates ‖A‖ (a restart may drop the largest).
    this.#scale = Math.max(this.#scale, ...this.#ritz.all.map(Math.abs));
    const next = orthonormaliseBlock(products, split.productNorms, pool);
    // A·(Qs) − θ·Qs = R·s_new for a Ritz pair (θ, s), s_new its coordinates on the newest
    // block, so its residual is ‖U·s_new‖: no product is stored or recombined.
    this.#residuals = this.#ritz.coeffs.map((s) => blockResidual(next.factor, s, first));
    return next;
  }

  /** Thick restart: keep the best Ritz vectors; the next block stays orthogonal to their span. */
  #restart(): void {
    const { order, k, maxBasis, pool } = this.#o;
    const kept = rayleighRitz(this.#T, order, Math.max(k, Math.floor(maxBasis / 2)));
    combineInPlace(this.#Q, kept.coeffs);
    pool.give(...this.#Q.splice(kept.coeffs.length));
    this.#T = kept.values.map((v, i) => kept.values.map((_, j) => (i === j ? v : 0)));
    this.#recurrence = null;
  }

  /**
   * The first block: the warm-start vectors, which are nearly orthonormal and so settle in two
   * Cholesky QR passes, topped up with random vectors where they are fewer than the block or
   * dependent.
   */
  #startBlock(): Float64Array[] {
    const { start, blockSize, pool } = this.#o;
    const warm = start.slice(0, blockSize).map((v) => pool.copyOf(v));
    const block = warm.length > 0 ? orthonormaliseBlock(warm, warm.map(norm), pool).vectors : [];
    if (block.length >= blockSize) return block;
    return gramSchmidt(block, this.#Q, blockSize, () => this.#randomVector(), 0, pool).vectors;
  }

  #randomVector(): Float64Array {
    const { pool, rng } = this.#o, dim = this.#op.dim;
    const v = pool.take();
    for (let i = 0; i < dim; i++) v[i] = rng.normal();
    // Draw normals in pairs so no spare is pending: Rng.state() then captures everything.
    if (dim % 2 === 1) rng.normal();
    return v;
  }

  /** The wanted pairs with their residuals and the solve's counts. */
  result(): EigenResult {
    return {
      values: this.#ritz.values,
      vectors: linearCombinations(this.#Q, this.#ritz.coeffs, this.#op.dim),
      residuals: this.#residuals,
      scale: this.#scale,
      applications: this.#applications,
      iterations: this.#iterations,
      converged: this.#converged,
    };
  }

  /** Gives every working vector back to the pool, once (Q holds the block if an error cut in). */
  release(): void {
    this.#o.pool.give(...new Set([...this.#Q, ...this.#block]));
    this.#Q = [];
    this.#block = [];
  }
}
