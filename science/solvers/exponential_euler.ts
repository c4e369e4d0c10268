/**
 * The exponential Euler solver of SCIENCE.md §3: the k stiffest directions of ℋ (largest |λ|) are
 * integrated exactly as a linear flow, the bulk by an Euler step dt = min(η_max, 1/|λ_{k+1}|).
 * Only the value of λ_{k+1} is used, so its Ritz pair is asked to converge relative to its own
 * value, ‖r‖ ≤ tolerance·|θ_{k+1}| (science/linalg/lanczos.ts): Ritz magnitudes never exceed the
 * eigenvalues', so dt is then never shorter than the exact step and at most a factor
 * 1 + tolerance longer (1e-3 by default). Where λ_{k+1} lies below 1/η_max, dt = η_max whatever
 * its exact value, and the pair may stop once it passes the residual test of the stiff pairs
 * with |θ| + ‖r‖ ≤ 1/η_max; the λ_{k+1} such a step reports is only that accurate.
 *
 * @module
 */
import { type EigenSettings, eigenStepReport, WarmEigenSolve } from "./eigen_settings.ts";
import type { PointEvaluation, Solver, SolverState, StepReport } from "./types.ts";

/** Options of {@linkcode ExponentialEuler}. */
export interface ExponentialEulerOptions {
  etaMax: number;
  /** Stiff dimension k (C for MSE, C − 1 for cross-entropy by default; see createSolver). */
  k: number;
  /** Steps of a linear warm-up: step s (0-based) uses dt · min(1, (s + 1)/warmup); 0 = none. */
  warmup: number;
  eigen: EigenSettings;
}

/** r(λ, dt) = (1 − e^{−λ dt})/λ, capped at dt (so negative λ step like GD); dt at λ = 0. */
export function stiffStepFactor(lambda: number, dt: number): number {
  if (lambda === 0) return dt;
  return Math.min(-Math.expm1(-lambda * dt) / lambda, dt);
}

/** Exponential Euler, warm-starting each step's eigenpairs from the previous step's. */
export class ExponentialEuler implements Solver {
  readonly description: string;
  readonly #eigen: WarmEigenSolve;

  constructor(readonly options: ExponentialEulerOptions) {
    const { etaMax, k, warmup } = options;
    this.description = `ee(etaMax=${etaMax},k=${k},warmup=${warmup})`;
    this.#eigen = new WarmEigenSolve(options.eigen);
  }

  step(point: PointEvaluation, t: number, step: number): {
    theta: Float32Array;
    report: StepReport;
  } {
    const start = performance.now();
    const { etaMax, k, warmup } = this.options;
    const P = point.theta.length;
    const wanted = Math.min(k + 1, P);
    const eig = this.#eigen.at(point, {
      k: wanted,
      order: "magnitude",
      blockSize: wanted,
      // λ_{k+1} only sets dt = min(η_max, 1/|λ_{k+1}|): its value is needed, relative to itself,
      // and only where it reaches 1/η_max.
      valueOnly: wanted - k,
      valueCutoff: 1 / etaMax,
    });
    const bulk = wanted > k ? Math.abs(eig.values[k]) : 0;
    let dt = bulk > 0 ? Math.min(etaMax, 1 / bulk) : etaMax;
    if (warmup > 0) dt *= Math.min(1, (step + 1) / warmup);
    // θ ← θ − dt·w − Σ r_m c_m v_m with w = g − Σ c_m v_m, i.e. θ − dt·g − Σ (r_m − dt) c_m v_m.
    const g = point.gradient, stiff = eig.vectors.slice(0, k);
    const coefs = stiff.map((v, m) => {
      let c = 0;
      for (let i = 0; i < P; i++) c += v[i] * g[i];
      return (stiffStepFactor(eig.values[m], dt) - dt) * c;
    });
    const theta = new Float32Array(P);
    for (let i = 0; i < P; i++) {
      let update = dt * g[i];
      for (let m = 0; m < stiff.length; m++) update += coefs[m] * stiff[m][i];
      theta[i] = point.theta[i] - update;
    }
    return {
      theta,
      report: eigenStepReport(point, t, dt, eig, 1, start),
    };
  }

  state(): SolverState {
    return this.#eigen.state();
  }

  restore(state: SolverState): void {
    this.#eigen.restore(state);
  }
}
