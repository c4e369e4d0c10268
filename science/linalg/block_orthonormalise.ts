/**
 * Orthonormalising a small block of long vectors, keeping the factor that expresses the input in
 * the result. The Krylov eigen-solver (science/linalg/lanczos.ts) turns each iteration's remainder into
 * its next block this way, and reads its Ritz residuals off the factor.
 *
 * A well-conditioned block goes through Cholesky QR: one pass over the vectors for their Gram
 * matrix, one to combine them, where modified Gram–Schmidt sweeps each vector once per earlier
 * one. Cholesky QR loses orthogonality as κ²·ε, so an ill-conditioned block gets a second pass,
 * and a nearly dependent one goes to Gram–Schmidt, which drops what is numerically dependent.
 *
 * @module
 */
import { combineInPlace, innerProducts, norm, subtractCombinations } from "./basis_algebra.ts";
import type { VectorPool } from "./vector_pool.ts";

/** Orthonormal vectors, and input j ≈ Σᵢ factor[j][i]·vectorsᵢ. */
export interface OrthonormalBlock {
  vectors: Float64Array[];
  factor: number[][];
}

/** A vector that keeps no more than this fraction of its reference norm is dependent. */
const DEPENDENT = 1e-10;
/** Cholesky QR is used while every pivot keeps this fraction of its vector's squared norm. */
const CHOLESKY_MIN_RATIO = 1e-8;
/** Below this pivot ratio the first pass's orthogonality error (≈ ε/ratio) gets a second pass. */
const ONE_PASS_MIN_RATIO = 1e-3;

/**
 * Orthonormalises `vectors` among themselves, in place. Vectors that keep no more than 1e-10 of
 * their reference norm (e.g. the norm they had before projections) are dropped and go back to
 * the pool.
 */
export function orthonormaliseBlock(
  vectors: Float64Array[],
  references: readonly number[],
  pool: VectorPool,
): OrthonormalBlock {
  let factor: number[][] = vectors.map((_, j) => vectors.map((_, i) => (i === j ? 1 : 0)));
  for (let pass = 0; pass < 2; pass++) {
    // After the first pass the vectors have unit norm.
    const scale = pass === 0 ? references : vectors.map(() => 1);
    const cholesky = choleskyLower(innerProducts(vectors, vectors), scale);
    if (cholesky === null) {
      const rest = gramSchmidt(vectors, [], vectors.length, null, 0, pool, scale);
      return { vectors: rest.vectors, factor: compose(factor, rest.factor) };
    }
    // vectors ← vectors·L⁻ᵀ, so input j = Σᵢ L[j][i]·new vectorᵢ.
    combineInPlace(vectors, invertLower(cholesky.lower));
    factor = compose(factor, cholesky.lower);
    if (cholesky.smallestRatio >= ONE_PASS_MIN_RATIO) break;
  }
  return { vectors, factor };
}

/**
 * Orthonormalises `vectors` in place against the basis Q (`passes` classical Gram–Schmidt passes;
 * 0 for vectors already orthogonal to it) and each other (modified Gram–Schmidt, twice). Vectors
 * that keep no more than 1e-10 of their reference norm (default their own) are numerically
 * dependent: they go back to the pool. With `random`, random vectors top the result up to `size`.
 * The factor is meaningful (up to each input's part along Q) when no random vector was needed.
 */
export function gramSchmidt(
  vectors: Float64Array[],
  Q: readonly Float64Array[],
  size: number,
  random: (() => Float64Array) | null,
  passes: number,
  pool: VectorPool,
  references: readonly number[] = vectors.map(norm),
): OrthonormalBlock {
  const out: Float64Array[] = [], factor: number[][] = [];
  let pending = vectors, attempts = 0;
  while (out.length < size) {
    if (pending.length === 0) {
      if (!random || attempts++ > 10 * size) break;
      pending = [random()];
      references = pending.map(norm);
    }
    for (let pass = 0; pass < passes; pass++) {
      subtractCombinations(pending, Q, innerProducts(Q, pending));
    }
    for (const [j, v] of pending.entries()) {
      const coordinates = new Array<number>(size).fill(0);
      factor.push(coordinates);
      if (out.length === size || references[j] === 0) {
        pool.give(v);
        continue;
      }
      for (let pass = 0; pass < 2; pass++) {
        const [c] = innerProducts(out, [v]);
        subtractCombinations([v], out, [c]);
        c.forEach((x, i) => (coordinates[i] += x));
      }
      const after = norm(v);
      if (after <= DEPENDENT * references[j]) {
        pool.give(v);
        continue;
      }
      coordinates[out.length] = after;
      for (let i = 0; i < v.length; i++) v[i] /= after;
      out.push(v);
    }
    pending = [];
  }
  return { vectors: out, factor };
}

/**
 * The Cholesky factor L (gram = L·Lᵀ) of a Gram matrix, and its smallest pivot ratio
 * L[j][j]²/gram[j][j]; null when a pivot falls below CHOLESKY_MIN_RATIO of its diagonal or its
 * vector is dependent (√pivot ≤ 1e-10 of its reference norm).
 */
function choleskyLower(
  gram: readonly Float64Array[],
  references: readonly number[],
): { lower: number[][]; smallestRatio: number } | null {
  const n = gram.length, lower = gram.map(() => new Array<number>(n).fill(0));
  let smallestRatio = 1;
  for (let j = 0; j < n; j++) {
    let pivot = gram[j][j];
    for (let r = 0; r < j; r++) pivot -= lower[j][r] ** 2;
    const ratio = pivot / gram[j][j];
    if (!(ratio >= CHOLESKY_MIN_RATIO) || Math.sqrt(pivot) <= DEPENDENT * references[j]) {
      return null;
    }
    smallestRatio = Math.min(smallestRatio, ratio);
    lower[j][j] = Math.sqrt(pivot);
    for (let i = j + 1; i < n; i++) {
      let s = gram[i][j];
      for (let r = 0; r < j; r++) s -= lower[i][r] * lower[j][r];
      lower[i][j] = s / lower[j][j];
    }
  }
  return { lower, smallestRatio };
}

/** The inverse of a lower-triangular matrix (forward substitution, column by column). */
function invertLower(lower: readonly number[][]): number[][] {
  const n = lower.length, inverse = lower.map(() => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let r = c; r < i; r++) s -= lower[i][r] * inverse[r][c];
      inverse[i][c] = s / lower[i][i];
    }
  }
  return inverse;
}

/** The factor of the input along the newer vectors: a[j]·b, row by row (b may have fewer columns). */
function compose(a: readonly number[][], b: readonly number[][]): number[][] {
  const columns = b[0]?.length ?? 0;
  return a.map((row) =>
    Array.from({ length: columns }, (_, i) => row.reduce((s, x, r) => s + x * (b[r]?.[i] ?? 0), 0))
  );
}
