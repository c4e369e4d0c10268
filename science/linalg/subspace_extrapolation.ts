/**
 * Warm starts for an eigen-solve repeated along a trajectory: the eigenvectors of a slowly
 * changing operator move smoothly, so the subspace one step ahead is better guessed by carrying
 * the last change on than by standing still.
 *
 * Two solves return bases V₀ (before) and V₁ (now) of nearly the same subspace, but in frames
 * that need not match: signs flip, and vectors of near-tied eigenvalues rotate within their span.
 * The rotation M that best maps V₀ onto V₁ (orthogonal Procrustes: the polar factor of V₀ᵀV₁)
 * separates that frame change from the subspace's motion V₁ − V₀M, and the guess is
 * V₁ + w·(V₁ − V₀M).
 *
 * @module
 */
import { innerProducts, subtractCombinations } from "./basis_algebra.ts";
import { symmetricEigen } from "./dense_eigen.ts";

/**
 * Successive subspaces further apart than this (cosine of their largest principal angle) are not
 * extrapolated: a step that turned the subspace by more than 45° says nothing reliable about the
 * next one.
 */
export const MIN_SUBSPACE_COSINE = Math.SQRT1_2;

/**
 * The extrapolated basis V₁ + w·(V₁ − V₀M) (see the module doc), written into vectors from
 * `take`, or null when there is nothing to extrapolate: no previous basis, bases of different
 * sizes, or subspaces further apart than {@linkcode MIN_SUBSPACE_COSINE}. `previous` and `current`
 * should be orthonormal bases of one length each.
 */
export function extrapolateSubspace(
  previous: readonly Float64Array[],
  current: readonly Float64Array[],
  weight: number,
  take: () => Float64Array = () => new Float64Array(current[0].length),
): Float64Array[] | null {
  const n = current.length;
  if (n === 0 || previous.length !== n) return null;
  const rotation = procrustesRotation(innerProducts(previous, current));
  if (rotation === null) return null;
  const guess = current.map((v) => {
    const out = take();
    for (let i = 0; i < v.length; i++) out[i] = (1 + weight) * v[i];
    return out;
  });
  // guessⱼ −= w·Σₗ M[l][j]·V₀ₗ
  const coefficients = guess.map((_, j) => Float64Array.from(rotation, (row) => weight * row[j]));
  subtractCombinations(guess, previous, coefficients);
  return guess;
}

/**
 * The orthogonal M (as rows M[l][j]) closest to A = V₀ᵀV₁, given as cross[j][l] = V₀ₗ·V₁ⱼ:
 * M = A·(AᵀA)^{-1/2}. Null when AᵀA's smallest eigenvalue, the squared cosine of the largest
 * principal angle, is below MIN_SUBSPACE_COSINE².
 */
function procrustesRotation(cross: Float64Array[]): number[][] | null {
  const n = cross.length;
  const a = (l: number, j: number) => cross[j][l];
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += a(l, i) * a(l, j);
      gram[i * n + j] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, n);
  if (!(values[n - 1] >= MIN_SUBSPACE_COSINE ** 2)) return null;
  // (AᵀA)^{-1/2} = Σₘ uₘuₘᵀ/√λₘ
  const inverseRoot = Array.from(
    { length: n },
    (_, i) =>
      Array.from(
        { length: n },
        (_, j) => values.reduce((s, v, m) => s + (vectors[m][i] * vectors[m][j]) / Math.sqrt(v), 0),
      ),
  );
  return Array.from(
    { length: n },
    (_, l) =>
      Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += a(l, i) * inverseRoot[i][j];
        return s;
      }),
  );
}
