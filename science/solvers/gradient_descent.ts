/**
 * Gradient descent θ ← θ − η∇L with t += η, and adaptive gradient descent with
 * dt = min(η_max, 1/|λ¹|) where λ¹ is the sharpness (SCIENCE.md §3).
 *
 * @module
 */
import type { PointEvaluation, Solver, SolverState, StepReport } from "./types.ts";
import { type EigenSettings, eigenStepReport, WarmEigenSolve } from "./eigen_settings.ts";

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
        eigenSolve: null,
        operatorApplications: 0,
        gradientEvaluations: 1,
        wallMs: performance.now() - start,
      },
    };
  }

  state(): SolverState {
    return { vectors: [], previousVectors: [] };
  }

  restore(): void {}
}

/** Adaptive GD: the step never exceeds 1/|λ¹(ℋ)|, the largest stable-and-monotone step. */
export class AdaptiveGradientDescent implements Solver {
  readonly description: string;
  readonly #eigen: WarmEigenSolve;

  constructor(readonly etaMax: number, readonly eigen: EigenSettings) {
    this.description = `agd(etaMax=${etaMax})`;
    this.#eigen = new WarmEigenSolve(eigen);
  }

  step(point: PointEvaluation, t: number): { theta: Float32Array; report: StepReport } {
    const start = performance.now();
    const top = this.#eigen.at(point, { k: 1 });
    const dt = Math.min(this.etaMax, 1 / Math.abs(top.values[0]));
    return {
      theta: descend(point.theta, point.gradient, dt),
      report: eigenStepReport(point, t, dt, top, 1, start),
    };
  }

  state(): SolverState {
    return this.#eigen.state();
  }

  restore(state: SolverState): void {
    this.#eigen.restore(state);
  }
}
