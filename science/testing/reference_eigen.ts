/**
 * A reference eigen-solver for tests, written apart from science/linalg/lanczos.ts: plain
 * single-vector Lanczos from a random start with two full Gram–Schmidt passes per step and no
 * restart, every product kept, Rayleigh–Ritz on T = Qᵀ(AQ) by Jacobi rotations, and each Ritz
 * pair's residual ‖Ay − θy‖ recomputed from the kept products (not from a recurrence), so a test
 * can check how converged the reference itself is.
 *
 * @module
 */
import { jacobiEigen } from "../linalg/jacobi_eigen.ts";
import { Rng } from "../../util/rng.ts";

/** Ritz values by decreasing magnitude, each with its recomputed residual. */
export interface ReferenceEigen {
  values: number[];
  residuals: number[];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The Ritz values of `apply` (a symmetric operator of dimension `dim`) on a Krylov space of
 * `steps` vectors from a seeded random start, largest magnitude first.
 */
export function referenceEigenvalues(
  apply: (v: Float64Array) => Float64Array,
  dim: number,
  steps: number,
  seed = 1,
): ReferenceEigen {
  const rng = new Rng(seed), Q: Float64Array[] = [], AQ: Float64Array[] = [];
  let q = Float64Array.from({ length: dim }, () => rng.normal());
  for (let j = 0; j < steps; j++) {
    const size = Math.sqrt(dot(q, q));
    Q.push(q.map((x) => x / size));
    AQ.push(apply(Q[j]));
    q = Float64Array.from(AQ[j]);
    for (let pass = 0; pass < 2; pass++) {
      for (const u of Q) {
        const c = dot(u, q);
        for (let i = 0; i < dim; i++) q[i] -= c * u[i];
      }
    }
  }
  const m = Q.length, T = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) T[i * m + j] = (dot(Q[i], AQ[j]) + dot(Q[j], AQ[i])) / 2;
  }
  const eig = jacobiEigen(T, m);
  const order = Array.from(eig.values.keys()).sort((a, b) =>
    Math.abs(eig.values[b]) - Math.abs(eig.values[a])
  );
  const residuals = order.map((r) => {
    const y = new Float64Array(dim), Ay = new Float64Array(dim);
    for (let j = 0; j < m; j++) {
      const s = eig.vectors[r * m + j];
      for (let i = 0; i < dim; i++) {
        y[i] += s * Q[j][i];
        Ay[i] += s * AQ[j][i];
      }
    }
    const theta = eig.values[r];
    return Math.sqrt(Ay.reduce((acc, x, i) => acc + (x - theta * y[i]) ** 2, 0));
  });
  return { values: order.map((r) => eig.values[r]), residuals };
}
