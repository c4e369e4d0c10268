/**
 * Dense float64 symmetric eigendecomposition (ml-matrix's tridiagonal QL), for small matrices:
 * the Rayleigh–Ritz step of the Krylov eigensolver and the references of tests.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** Eigenvalues in descending order with their unit eigenvectors. */
export interface DenseEigen {
  values: number[];
  vectors: Float64Array[];
}

/** Eigen-decomposes a symmetric n × n matrix given row-major (only symmetric input is valid). */
export function symmetricEigen(a: ArrayLike<number>, n: number): DenseEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: ${a.length} entries for n = ${n}`);
  const rows = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j]),
  );
  const e = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = e.realEigenvalues, V = e.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
  return {
    values: order.map((i) => values[i]),
    vectors: order.map((i) => Float64Array.from(V.getColumn(i))),
  };
}
