/**
 * The steps of one block Lanczos iteration (science/linalg/lanczos.ts), as pure functions of the
 * basis and the projected matrix: splitting new products into their coefficients along the basis
 * and their remainder, extending T = QᵀAQ, Rayleigh–Ritz, and a Ritz pair's residual from the
 * remainder's factor.
 *
 * @module
 */
import { innerProducts, norm, subtractCombinations } from "./basis_algebra.ts";
import { symmetricEigen } from "./dense_eigen.ts";
import type { EigenOrder } from "./lanczos.ts";

/** A reorthogonalisation pass that keeps no more than this fraction of a norm is repeated. */
const DGKS_RATIO = Math.SQRT1_2;

/**
 * The block before the newest (basis vectors from `from` on) and the factor of the remainder
 * that became the newest block.
 */
export interface Recurrence {
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
export function splitOffBasis(
  products: Float64Array[],
  Q: Float64Array[],
  recurrence: Recurrence | null,
) {
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

/** T extended by the columns Qᵢ·(AQ)ⱼ of the new vectors j ≥ first (symmetrised). */
export function extendProjection(T: number[][], coefficients: Float64Array[], first: number) {
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

/** The Ritz pairs of T wanted, and every Ritz value. */
export interface RitzPairs {
  /** The chosen Ritz values, in the requested order. */
  values: number[];
  /** Their coordinates in the basis. */
  coeffs: Float64Array[];
  /** Every Ritz value. */
  all: number[];
}

/** The top-k Ritz pairs of T in the requested order (Rayleigh–Ritz on the basis). */
export function rayleighRitz(T: number[][], order: EigenOrder, k: number): RitzPairs {
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
export function blockResidual(factor: number[][], s: Float64Array, first: number): number {
  const sum = new Float64Array(factor[0]?.length ?? 0);
  factor.forEach((column, j) => column.forEach((u, i) => (sum[i] += s[first + j] * u)));
  return Math.hypot(...sum);
}
