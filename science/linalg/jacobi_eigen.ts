/**
 * All eigenpairs of a small symmetric matrix by cyclic Jacobi rotations in float64: exact to
 * rounding and allocation-light, for the many k×k Gram matrices of per-sample Jacobians (k of a
 * few rows). Larger matrices go to science/linalg/dense_eigen.ts.
 *
 * @module
 */

/** Eigenvalues (descending) and matching unit eigenvectors (rows of `vectors`) of a k×k matrix. */
export interface JacobiEigen {
  values: Float64Array;
  /** Row-major k×k; row i is the eigenvector of `values[i]`. */
  vectors: Float64Array;
}

/**
 * All eigenpairs of a symmetric k×k matrix (row-major) by cyclic Jacobi rotations in float64.
 * Meant for k ≲ 16; the input is symmetrised first so float32 round-off cannot bias it.
 */
export function jacobiEigen(matrix: ArrayLike<number>, k: number): JacobiEigen {
  if (matrix.length !== k * k) {
    throw new Error(`jacobiEigen: matrix has ${matrix.length} entries, expected ${k}×${k}`);
  }
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) a[i * k + j] = 0.5 * (matrix[i * k + j] + matrix[j * k + i]);
  }
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < k; i++) {
      diag += a[i * k + i] ** 2;
      for (let j = i + 1; j < k; j++) off += a[i * k + j] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (apq === 0) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < k; r++) { // columns p, q of A
          const arp = a[r * k + p], arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) { // rows p, q of A
          const apr = a[p * k + r], aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) { // accumulate V (eigenvectors as columns)
          const vrp = v[r * k + p], vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => a[j * k + j] - a[i * k + i]);
  const values = new Float64Array(k), vectors = new Float64Array(k * k);
  order.forEach((col, row) => {
    values[row] = a[col * k + col];
    for (let r = 0; r < k; r++) vectors[row * k + r] = v[r * k + col];
  });
  return { values, vectors };
}
