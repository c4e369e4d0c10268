/**
 * The baseline the eigen-solver is compared with: warm-started block power (subspace) iteration
 * with Rayleigh–Ritz, stopping at the same relative residual tolerance as Lanczos.
 *
 * @module
 */
import { symmetricEigen } from "../science/linalg/dense_eigen.ts";
import type { SymmetricOperator } from "../science/linalg/lanczos.ts";
import { Rng } from "../util/rng.ts";

/** Top-b eigenpairs by magnitude; returns the values, vectors and operator applications. */
export function blockPowerIteration(
  op: SymmetricOperator,
  b: number,
  start: Float64Array[],
  tolerance: number,
  maxIterations: number,
): { values: number[]; vectors: Float64Array[]; applications: number; converged: boolean } {
  const rng = new Rng(99);
  let X = orthonormal(
    start.length === b
      ? start.map((v) => v.slice())
      : Array.from({ length: b }, () => Float64Array.from({ length: op.dim }, () => rng.normal())),
  );
  let applications = 0, values: number[] = [];
  for (let it = 0; it < maxIterations; it++) {
    const Y = op.apply(X).map((y) => Float64Array.from(y));
    applications += b;
    // Rayleigh–Ritz in span(X): T = XᵀY, rotate X and Y by T's eigenvectors.
    const T = new Float64Array(b * b);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) T[i * b + j] = (dot(X[i], Y[j]) + dot(X[j], Y[i])) / 2;
    }
    const e = symmetricEigen(T, b);
    const order = e.values.map((_, i) => i).sort((p, q) =>
      Math.abs(e.values[q]) - Math.abs(e.values[p])
    );
    const Xr = order.map((i) => combine(X, e.vectors[i])),
      Yr = order.map((i) => combine(Y, e.vectors[i]));
    values = order.map((i) => e.values[i]);
    const scale = Math.max(...values.map(Math.abs));
    const residuals = Xr.map((x, i) =>
      Math.sqrt(Yr[i].reduce((s, y, j) => s + (y - values[i] * x[j]) ** 2, 0))
    );
    if (residuals.every((r) => r <= tolerance * scale)) {
      return { values, vectors: Xr, applications, converged: true };
    }
    X = orthonormal(Yr);
  }
  return { values, vectors: X, applications, converged: false };
}

function orthonormal(vs: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const v of vs) {
    for (let pass = 0; pass < 2; pass++) {
      for (const q of out) {
        const c = dot(q, v);
        for (let i = 0; i < v.length; i++) v[i] -= c * q[i];
      }
    }
    const n = Math.sqrt(dot(v, v));
    out.push(v.map((x) => x / n));
  }
  return out;
}

function combine(basis: Float64Array[], s: ArrayLike<number>): Float64Array {
  const out = new Float64Array(basis[0].length);
  basis.forEach((q, j) => {
    for (let i = 0; i < out.length; i++) out[i] += s[j] * q[i];
  });
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
