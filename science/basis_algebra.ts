/**
 * Float64 kernels on a basis of long vectors and a small block of vectors, the inner loops of the
 * Krylov eigen-solver (science/lanczos.ts). They walk the vectors in cache-sized chunks so that the
 * block stays in cache while the basis streams through once per call: with P ≈ 2·10⁵ parameters
 * and a basis of 20 vectors that is the difference between reading the basis once and once per
 * block vector. Inside a chunk the loops are register-blocked, three block vectors against one
 * to four basis vectors, so that each element loaded feeds several multiply-adds: in V8 that is
 * 1.3–1.7× faster than one block vector at a time (bench/numerics.ts measures the solver's own
 * time).
 *
 * @module
 */

/** Elements per chunk: three block vectors plus four basis vectors are 56 KiB, about L1/L2. */
const CHUNK = 1024;

/** The inner products basisᵢ·vectorsⱼ, returned as out[j][i]. */
export function innerProducts(
  basis: readonly Float64Array[],
  vectors: readonly Float64Array[],
): Float64Array[] {
  const out = vectors.map(() => new Float64Array(basis.length));
  const dim = vectors[0]?.length ?? 0;
  for (let lo = 0; lo < dim; lo += CHUNK) {
    const hi = Math.min(dim, lo + CHUNK);
    let j = 0;
    for (; j + 3 <= vectors.length; j += 3) dotsOfThree(basis, vectors, out, j, lo, hi);
    for (; j < vectors.length; j++) dotsOfOne(basis, vectors[j], out[j], lo, hi);
  }
  return out;
}

/** out[j..j+3) += basisᵢ·vectors[j..j+3) over [lo, hi): each basis element feeds three sums. */
function dotsOfThree(
  basis: readonly Float64Array[],
  vectors: readonly Float64Array[],
  out: Float64Array[],
  j: number,
  lo: number,
  hi: number,
): void {
  const v0 = vectors[j], v1 = vectors[j + 1], v2 = vectors[j + 2];
  const o0 = out[j], o1 = out[j + 1], o2 = out[j + 2];
  for (let i = 0; i < basis.length; i++) {
    const q = basis[i];
    let s0 = 0, s1 = 0, s2 = 0;
    for (let t = lo; t < hi; t++) {
      const x = q[t];
      s0 += x * v0[t];
      s1 += x * v1[t];
      s2 += x * v2[t];
    }
    o0[i] += s0;
    o1[i] += s1;
    o2[i] += s2;
  }
}

/** o += basisᵢ·v over [lo, hi), four basis vectors per loop: four independent sums. */
function dotsOfOne(
  basis: readonly Float64Array[],
  v: Float64Array,
  o: Float64Array,
  lo: number,
  hi: number,
): void {
  const m = basis.length;
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

/** vectorsⱼ −= Σᵢ coefficients[j][i] · basisᵢ, in place. */
export function subtractCombinations(
  vectors: readonly Float64Array[],
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
): void {
  const dim = vectors[0]?.length ?? 0;
  for (let lo = 0; lo < dim; lo += CHUNK) {
    subtractOverRange(vectors, basis, coefficients, lo, Math.min(dim, lo + CHUNK), 0);
  }
}

/**
 * vectorsⱼ[t − offset] −= Σᵢ coefficients[j][i] · basisᵢ[t] for t in [lo, hi): offset 0 updates
 * whole vectors, offset lo chunk-sized buffers.
 */
function subtractOverRange(
  vectors: readonly Float64Array[],
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
  lo: number,
  hi: number,
  offset: number,
): void {
  let j = 0;
  for (; j + 3 <= vectors.length; j += 3) {
    subtractFromThree(vectors, basis, coefficients, j, lo, hi, offset);
  }
  for (; j < vectors.length; j++) {
    subtractFromOne(vectors[j], basis, coefficients[j], lo, hi, offset);
  }
}

/**
 * The three-vector case of subtractOverRange: four basis elements feed twelve multiply-adds. A
 * last group of fewer than four basis vectors is padded with its last vector at coefficient 0,
 * which costs less than updating the three vectors once per leftover basis vector.
 */
function subtractFromThree(
  vectors: readonly Float64Array[],
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
  j: number,
  lo: number,
  hi: number,
  offset: number,
): void {
  const v0 = vectors[j], v1 = vectors[j + 1], v2 = vectors[j + 2];
  const c0 = coefficients[j], c1 = coefficients[j + 1], c2 = coefficients[j + 2];
  const m = basis.length, last = m - 1;
  const at = (c: ArrayLike<number>, i: number) => (i < m ? c[i] : 0);
  for (let i = 0; i < m; i += 4) {
    const qa = basis[i], qb = basis[Math.min(i + 1, last)];
    const qc = basis[Math.min(i + 2, last)], qd = basis[Math.min(i + 3, last)];
    const a0 = c0[i], b0 = at(c0, i + 1), e0 = at(c0, i + 2), d0 = at(c0, i + 3);
    const a1 = c1[i], b1 = at(c1, i + 1), e1 = at(c1, i + 2), d1 = at(c1, i + 3);
    const a2 = c2[i], b2 = at(c2, i + 1), e2 = at(c2, i + 2), d2 = at(c2, i + 3);
    for (let t = lo; t < hi; t++) {
      const xa = qa[t], xb = qb[t], xc = qc[t], xd = qd[t], u = t - offset;
      v0[u] -= a0 * xa + b0 * xb + e0 * xc + d0 * xd;
      v1[u] -= a1 * xa + b1 * xb + e1 * xc + d1 * xd;
      v2[u] -= a2 * xa + b2 * xb + e2 * xc + d2 * xd;
    }
  }
}

/** The one-vector case of subtractOverRange: one load and store of v per four multiply-adds. */
function subtractFromOne(
  v: Float64Array,
  basis: readonly Float64Array[],
  c: ArrayLike<number>,
  lo: number,
  hi: number,
  offset: number,
): void {
  const m = basis.length;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const q0 = basis[i], q1 = basis[i + 1], q2 = basis[i + 2], q3 = basis[i + 3];
    const c0 = c[i], c1 = c[i + 1], c2 = c[i + 2], c3 = c[i + 3];
    for (let t = lo; t < hi; t++) {
      v[t - offset] -= c0 * q0[t] + c1 * q1[t] + c2 * q2[t] + c3 * q3[t];
    }
  }
  for (; i < m; i++) {
    const q = basis[i], ci = c[i];
    for (let t = lo; t < hi; t++) v[t - offset] -= ci * q[t];
  }
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
 * size): each chunk is combined into small buffers before any of it is overwritten, so the basis
 * needs no second copy.
 */
export function combineInPlace(
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
): void {
  if (coefficients.length > basis.length) {
    throw new Error(`combineInPlace: ${coefficients.length} rows for a basis of ${basis.length}`);
  }
  const dim = basis[0]?.length ?? 0, negated = negate(coefficients);
  const buffers = coefficients.map(() => new Float64Array(CHUNK));
  for (let lo = 0; lo < dim; lo += CHUNK) {
    const hi = Math.min(dim, lo + CHUNK);
    for (const b of buffers) b.fill(0);
    subtractOverRange(buffers, basis, negated, lo, hi, lo);
    buffers.forEach((b, r) => basis[r].set(hi - lo === CHUNK ? b : b.subarray(0, hi - lo), lo));
  }
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

function negate(coefficients: readonly ArrayLike<number>[]): number[][] {
  return coefficients.map((c) => Array.from(c, (x) => -x));
}
