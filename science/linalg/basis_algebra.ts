/**
 * Float64 kernels on a basis of long vectors and a small block of vectors, the inner loops of the
 * Krylov eigen-solver (science/linalg/lanczos.ts). The loops themselves are in science/linalg/_basis_kernels.ts;
 * here each kernel splits its elements, slice by slice, between this thread and the kernel helper
 * threads (science/linalg/kernel_threads.ts) where the vectors are shared and the work is large enough.
 * The results are the same whichever threads do the work.
 *
 * @module
 */
import {
  combineOverRange,
  dotsOverSlices,
  SLICE,
  sliceCount,
  subtractOverRange,
} from "./_basis_kernels.ts";
import { helpersFor, runWithHelpers, shared, splitEvenly } from "./kernel_threads.ts";

/** The inner products basisᵢ·vectorsⱼ, returned as out[j][i]. */
export function innerProducts(
  basis: readonly Float64Array[],
  vectors: readonly Float64Array[],
): Float64Array[] {
  const m = basis.length, b = vectors.length, dim = vectors[0]?.length ?? 0;
  const slices = sliceCount(dim);
  const [own, ...theirs] = sliceShares(m * b * dim, dim, [...basis, ...vectors]);
  const size = slices * b * m;
  const partials = theirs.length > 0
    ? new Float64Array(new SharedArrayBuffer(8 * size))
    : new Float64Array(size);
  runWithHelpers(
    theirs.map(([from, to]) => ({
      kind: "dots",
      basis: basis.map(shared),
      vectors: vectors.map(shared),
      partials: shared(partials),
      from,
      to,
    })),
    () => dotsOverSlices(basis, vectors, partials, own[0], own[1]),
  );
  // The partials are added in slice order, whichever thread computed them.
  const out = vectors.map(() => new Float64Array(m));
  for (let s = 0; s < slices; s++) {
    out.forEach((o, j) => {
      for (let i = 0; i < m; i++) o[i] += partials[(s * b + j) * m + i];
    });
  }
  return out;
}

/** vectorsⱼ −= Σᵢ coefficients[j][i] · basisᵢ, in place. */
export function subtractCombinations(
  vectors: readonly Float64Array[],
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
): void {
  const dim = vectors[0]?.length ?? 0;
  const [own, ...theirs] = elementShares(basis.length * vectors.length * dim, dim, [
    ...basis,
    ...vectors,
  ]);
  // Plain rows: posting a subarray would clone its whole buffer.
  const rows = theirs.length > 0 ? coefficients.map((c) => Array.from(c)) : [];
  runWithHelpers(
    theirs.map(([lo, hi]) => ({
      kind: "subtract",
      vectors: vectors.map(shared),
      basis: basis.map(shared),
      coefficients: rows,
      lo,
      hi,
    })),
    () => subtractOverRange(vectors, basis, coefficients, own[0], own[1]),
  );
}

/** The combinations Σᵢ coefficients[r][i] · basisᵢ, one new vector per coefficient row r. */
export function linearCombinations(
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
  dim: number,
): Float64Array[] {
  const out = coefficients.map(() => new Float64Array(dim));
  subtractCombinations(out, basis, negate(coefficients));
  return out;
}

/**
 * basis[r] ← Σᵢ coefficients[r][i] · basisᵢ for each coefficient row r, in place (rows ≤ basis
 * size), without a second copy of the basis.
 */
export function combineInPlace(
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
): void {
  if (coefficients.length > basis.length) {
    throw new Error(`combineInPlace: ${coefficients.length} rows for a basis of ${basis.length}`);
  }
  const dim = basis[0]?.length ?? 0, negated = negate(coefficients);
  const [own, ...theirs] = elementShares(basis.length * coefficients.length * dim, dim, basis);
  runWithHelpers(
    theirs.map(([lo, hi]) => ({ kind: "combine", basis: basis.map(shared), negated, lo, hi })),
    () => combineOverRange(basis, negated, own[0], own[1]),
  );
}

/** √(v·v), with four independent sums. */
export function norm(v: Float64Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 4 <= v.length; i += 4) {
    s0 += v[i] * v[i];
    s1 += v[i + 1] * v[i + 1];
    s2 += v[i + 2] * v[i + 2];
    s3 += v[i + 3] * v[i + 3];
  }
  for (; i < v.length; i++) s0 += v[i] * v[i];
  return Math.sqrt(s0 + s1 + s2 + s3);
}

/**
 * The slices [from, to) of this thread (first) and of each helper that a kernel of `work`
 * multiply-adds on vectors of length `dim` should use (none where helpersFor says so).
 */
function sliceShares(
  work: number,
  dim: number,
  vectors: readonly Float64Array[],
): [number, number][] {
  const slices = sliceCount(dim);
  return splitEvenly(slices, helpersFor(work, slices, vectors) + 1);
}

/** sliceShares as element ranges [lo, hi). */
function elementShares(
  work: number,
  dim: number,
  vectors: readonly Float64Array[],
): [number, number][] {
  return sliceShares(work, dim, vectors).map(([from, to]) => [
    Math.min(dim, from * SLICE),
    Math.min(dim, to * SLICE),
  ]);
}

function negate(coefficients: readonly ArrayLike<number>[]): number[][] {
  return coefficients.map((c) => Array.from(c, (x) => -x));
}
