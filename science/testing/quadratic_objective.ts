/**
 * A quadratic objective L(θ) = ½ (θ − θ*)ᵀ A (θ − θ*) with A = Σ λ_m u_m u_mᵀ given by its
 * eigenpairs, in float64: a test bed whose gradient flow has the closed form
 * θ(t) = θ* + e^{−At}(θ₀ − θ*).
 *
 * @module
 */
import type { PointEvaluation, SmoothObjective } from "../solvers/types.ts";

/** The quadratic with Hessian Σ λ_m u_m u_mᵀ (u_m orthonormal) and minimiser θ*. */
export class QuadraticObjective implements SmoothObjective {
  readonly parameterCount: number;

  constructor(
    readonly minimiser: Float64Array,
    readonly eigenvalues: number[],
    readonly eigenvectors: Float64Array[],
  ) {
    this.parameterCount = minimiser.length;
  }

  /** A·v. */
  apply(v: ArrayLike<number>): Float64Array {
    const out = new Float64Array(v.length);
    this.eigenvectors.forEach((u, m) => {
      let c = 0;
      for (let i = 0; i < v.length; i++) c += u[i] * v[i];
      for (let i = 0; i < v.length; i++) out[i] += this.eigenvalues[m] * c * u[i];
    });
    return out;
  }

  /** θ(t) of the exact gradient flow from θ₀. */
  flow(theta0: ArrayLike<number>, t: number): Float64Array {
    const d = Float64Array.from(theta0, (x, i) => x - this.minimiser[i]);
    const out = Float64Array.from(theta0);
    this.eigenvectors.forEach((u, m) => {
      let c = 0;
      for (let i = 0; i < d.length; i++) c += u[i] * d[i];
      const shrink = Math.expm1(-this.eigenvalues[m] * t) * c; // (e^{−λt} − 1)·c
      for (let i = 0; i < d.length; i++) out[i] += shrink * u[i];
    });
    return out;
  }

  at(theta: Float32Array): PointEvaluation {
    const d = Float64Array.from(theta, (x, i) => x - this.minimiser[i]);
    const gradient = this.apply(d);
    const loss = 0.5 * d.reduce((s, x, i) => s + x * gradient[i], 0);
    return {
      theta,
      loss,
      accuracy: Number.NaN,
      gradient,
      hessianProducts: (vs) => vs.map((v) => this.apply(v)),
      dispose: () => {},
    };
  }
}

/** k orthonormal vectors of length n from Gaussian draws (Gram–Schmidt). */
export function orthonormalVectors(n: number, k: number, normal: () => number): Float64Array[] {
  const out: Float64Array[] = [];
  while (out.length < k) {
    const v = Float64Array.from({ length: n }, normal);
    for (const q of out) {
      const c = q.reduce((s, x, i) => s + x * v[i], 0);
      q.forEach((x, i) => (v[i] -= c * x));
    }
    const r = Math.hypot(...v);
    out.push(v.map((x) => x / r));
  }
  return out;
}
