/**
 * Gradient descent θ ← θ − η∇L with t += η, and adaptive gradient descent with
 * dt = min(η_max, 1/|λ¹|) where λ¹ is the sharpness (SPEC §3).
 *
 * @module
 */
import { lanczosTopK } from "../lanczos.ts";
import { poolOfDim, type VectorPool } from "../vector_pool.ts";
import type { PointEvaluation, Solver, SolverState, StepReport } from "./types.ts";
import { type EigenSettings, eigenStepReport, hessianOperator } from "./eigen_settings.ts";

/** θ − dt·g, rounded to float32. */
export function descend(theta: Float32Array, g: ArrayLike<number>, dt: number): Float32Array {
  const out = new Float32Array(theta.length);
  for (let i = 0; i < theta.length; i++) out[i] = theta[i] - dt * g[i];
  return out;
}

/** Plain GD with a fixed step η. */
export class GradientDescent implements Solver {
  readonly description: string;
  constructor(readonly eta: number) {
    this.description = `gd(eta=${eta})`;
  }

  step(point: PointEvaluation, t: number): { theta: Float32Array; report: StepReport } {
    const start = performance.now();
    const theta = descend(point.theta, point.gradient, this.eta);
    return {
      theta,
      report: {
        lossBefore: point.loss,
        dt: this.eta,
        t: t + this.eta,
        eigenvalues: [],
        eigenResidual: 0,
        operatorApplications: 0,
        gradientEvaluations: 1,
        wallMs: performance.now() - start,
      },
    };
  }

  state(): SolverState {
    return { vectors: [] };
  }

  restore(): void {}
}

/** Adaptive GD: the step never exceeds 1/|λ¹(ℋ)|, the largest stable-and-monotone step. */
export class AdaptiveGradientDescent implements Solver {
  readonly description: string;
  #vectors: Float64Array[] = [];
  /** The eigen-solver's working vectors, kept from step to step. */
  #pool?: VectorPool;

  constructor(readonly etaMax: number, readonly eigen: EigenSettings) {
    this.description = `agd(etaMax=${etaMax})`;
  }

  step(point: PointEvaluation, t: number): { theta: Float32Array; report: StepReport } {
    const start = performance.now();
    this.#pool = poolOfDim(this.#pool, point.theta.length);
    const top = lanczosTopK(hessianOperator(point), {
      k: 1,
      start: this.#vectors,
      tolerance: this.eigen.tolerance,
      maxIterations: this.eigen.maxIterations,
      maxBasis: this.eigen.maxBasis,
      rng: this.eigen.rng,
      workspace: this.#pool,
    });
    this.#vectors = top.vectors;
    const dt = Math.min(this.etaMax, 1 / Math.abs(top.values[0]));
    return {
      theta: descend(point.theta, point.gradient, dt),
      report: eigenStepReport(point, t, dt, top, 1, start),
    };
  }

  state(): SolverState {
    return { vectors: this.#vectors.map((v) => v.slice()) };
  }

  restore(state: SolverState): void {
    this.#vectors = state.vectors.map((v) => v.slice());
  }
}
