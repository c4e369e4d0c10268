/**
 * The loops behind science/linalg/basis_algebra.ts, over one range of elements [lo, hi) of the vectors:
 * the main thread and the kernel helper threads (science/linalg/kernel_threads.ts) run them on their
 * own ranges. They walk the range in cache-sized chunks so that the block stays in cache while the
 * basis streams through once per call: with P ≈ 2·10⁵ parameters and a basis of 20 vectors that
 * is the difference between reading the basis once and once per block vector. Inside a chunk the
 * loops are register-blocked, three block vectors against one to four basis vectors, so that each
 * element loaded feeds several multiply-adds: in V8 that is 1.3–1.7× faster than one block vector
 * at a time (bench/numerics.ts measures the solver's own time).
 *
 * @module
 */

/** Elements per chunk: three block vectors plus four basis vectors are 56 KiB, about L1/L2. */
export const CHUNK = 1024;

/**
 * Elements per slice: inner products are summed slice by slice, each slice's partial sums
 * chunk by chunk, and the partials in slice order, whichever thread computed them, so results do
 * not depend on how many threads share the work.
 */
export const SLICE = 8 * CHUNK;

/** The number of slices of vectors of length `dim`. */
export function sliceCount(dim: number): number {
  return Math.ceil(dim / SLICE);
}

/** out[j][i] += basisᵢ·vectorsⱼ over [lo, hi), chunk by chunk in order. */
export function dotsOverRange(
  basis: readonly Float64Array[],
  vectors: readonly Float64Array[],
  out: Float64Array[],
  lo: number,
  hi: number,
): void {
  for (let a = lo; a < hi; a += CHUNK) {
    const b = Math.min(hi, a + CHUNK);
    let j = 0;
    for (; j + 3 <= vectors.length; j += 3) dotsOfThree(basis, vectors, out, j, a, b);
    for (; j < vectors.length; j++) dotsOfOne(basis, vectors[j], out[j], a, b);
  }
}

/**
 * The partial inner products of slices [from, to): partials[(s·vectors + j)·basis + i] =
 * basisᵢ·vectorsⱼ over slice s.
 */
export function dotsOverSlices(
  basis: readonly Float64Array[],
  vectors: readonly Float64Array[],
  partials: Float64Array,
  from: number,
  to: number,
): void {
  const m = basis.length, b = vectors.length, dim = vectors[0]?.length ?? 0;
  for (let s = from; s < to; s++) {
    const rows = vectors.map((_, j) => partials.subarray((s * b + j) * m, (s * b + j + 1) * m));
    dotsOverRange(basis, vectors, rows, s * SLICE, Math.min(dim, (s + 1) * SLICE));
  }
}

/** vectorsⱼ[t] −= Σᵢ coefficients[j][i] · basisᵢ[t] for t in [lo, hi). */
export function subtractOverRange(
  vectors: readonly Float64Array[],
  basis: readonly Float64Array[],
  coefficients: readonly ArrayLike<number>[],
  lo: number,
  hi: number,
): void {
  for (let a = lo; a < hi; a += CHUNK) {
    subtractOverChunk(vectors, basis, coefficients, a, Math.min(hi, a + CHUNK), 0);
  }
}

/**
 * basis[r][t] ← −Σᵢ negated[r][i] · basisᵢ[t] for t in [lo, hi), each row r of `negated`: each
 * chunk is combined into small buffers before any of it is overwritten, so the basis needs no
 * second copy.
 */
export function combineOverRange(
  basis: readonly Float64Array[],
  negated: readonly ArrayLike<number>[],
  lo: number,
  hi: number,
): void {
  const buffers = negated.map(() => new Float64Array(CHUNK));
  for (let a = lo; a < hi; a += CHUNK) {
    const b = Math.min(hi, a + CHUNK);
    for (const buffer of buffers) buffer.fill(0);
    subtractOverChunk(buffers, basis, negated, a, b, a);
    buffers.forEach((buffer, r) =>
      basis[r].set(b - a === CHUNK ? buffer : buffer.subarray(0, b - a), a)
    );
  }
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

/**
 * vectorsⱼ[t − offset] −= Σᵢ coefficients[j][i] · basisᵢ[t] for t in [lo, hi), a range within one
 * chunk: offset 0 updates whole vectors, offset lo chunk-sized buffers.
 */
function subtractOverChunk(
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
 * The three-vector case of subtractOverChunk: four basis elements feed twelve multiply-adds. A
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

/** The one-vector case of subtractOverChunk: one load and store of v per four multiply-adds. */
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
