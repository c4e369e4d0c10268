/**
 * Float64 kernels on a basis of long vectors and a small block of vectors, the inner loops of the
 * Krylov eigen-solver (science/lanczos.ts). They walk the vectors in cache-sized chunks so that the
 * block stays in cache while the basis streams through once per call: with P ≈ 2·10⁵ parameters
 * and a basis of 20 vectors that is the difference between reading the basis once and once per
 * block vector. Four basis vectors are taken per inner loop, which about halves the time per
 * multiply-add in V8 (bench/numerics.ts measures the solver's time outside the operator).
 *
 * @module
 */

/** Elements per chunk: a block of 4 vectors plus one basis vector is 40 KiB, about L1/L2. */
const CHUNK = 1024;

/** The inner products basisᵢ·vectorsⱼ, returned as out[j][i]. */
export function innerProducts(
  basis: readonly Float64Array[],
  vectors: readonly Float64Array[],
): Float64Array[] {
  const out = vectors.map(() => new Float64Array(basis.length));
  const dim = vectors[0]?.length ?? 0, m = basis.length;
  for (let lo = 0; lo < dim; lo += CHUNK) {
    const hi = Math.min(dim, lo + CHUNK);
    for (let j = 0; j < vectors.length; j++) {
      const v = vectors[j], o = out[j];
      // Four basis vectors at a time: four independent sums, and v read once for them.
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const q0 = basis[i], q1 = basis[i + 1], q2 = basis[i + 2], q3 = basis[i + 3];
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let t = lo; t < hi; t++) {
          const x = v[t];
          s0 += q0[t] * x;
          s1 += q1[t] * x;
          s2 += q2[t] * x;
          s3 += q3[t] * x;
        }
        o[i] += s0;
        o[i + 1] += s1;
        o[i + 2] += s2;
        o[i + 3] += s3;
      }
      for (; i < m; i++) {
        const q = basis[i];
        let s = 0;
        for (let t = lo; t < hi; t++) s += q[t] * v[t];
        o[i] += s;
      }
    }
  }
  return out;
}

/** vectorsⱼ −= Σᵢ coefficients[j][i] · basisᵢ, in place. */
export function subtractCombinations(
  vectors: readonly Float64Array[],
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
): void {
  const dim = vectors[0]?.length ?? 0, m = basis.length;
  for (let lo = 0; lo < dim; lo += CHUNK) {
    const hi = Math.min(dim, lo + CHUNK);
    for (let j = 0; j < vectors.length; j++) {
      const v = vectors[j], c = coefficients[j];
      // Four basis vectors at a time: one load and store of v per four multiply-adds.
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const q0 = basis[i], q1 = basis[i + 1], q2 = basis[i + 2], q3 = basis[i + 3];
        const c0 = c[i], c1 = c[i + 1], c2 = c[i + 2], c3 = c[i + 3];
        for (let t = lo; t < hi; t++) v[t] -= c0 * q0[t] + c1 * q1[t] + c2 * q2[t] + c3 * q3[t];
      }
      for (; i < m; i++) {
        const q = basis[i], ci = c[i];
        for (let t = lo; t < hi; t++) v[t] -= ci * q[t];
      }
    }
  }
}

/** The combinations Σᵢ coefficients[r][i] · basisᵢ, one new vector per coefficient row r. */
export function linearCombinations(
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
  dim: number,
): Float64Array[] {
  const out = coefficients.map(() => new Float64Array(dim));
  const negated = coefficients.map((c) => Array.from(c, (x) => -x));
  subtractCombinations(out, basis, negated);
  return out;
}
