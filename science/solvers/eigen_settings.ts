/**
 * The eigen-solver settings solvers share, and the Hessian of an evaluated point as an operator.
 *
 * @module
 */
import type { EigenResult, SymmetricOperator } from "../lanczos.ts";
import type { Rng } from "../rng.ts";
import type { PointEvaluation, StepReport } from "./types.ts";

/** Tolerance and iteration cap of the Lanczos calls a solver makes. */
export interface EigenSettings {
  /**
   * Relative residual tolerance (science/lanczos.ts); default 1e-3: it bounds each eigenvalue's
   * error by 1e-3·|λ₁| and the stiff directions' angle error by ~1e-3·|λ₁|/gap, well inside what
   * the step needs, and costs about half the products of 1e-4 (bench/numerics.ts).
   */
  tolerance: number;
  /** Block-iteration cap per call; default 60. */
  maxIterations: number;
  /** Basis size at which Lanczos restarts (science/lanczos.ts); default its own. */
  maxBasis?: number;
  /** Source of random start vectors (cold starts); default a fixed seed per call. */
  rng?: Rng;
}

/** Defaults for {@linkcode EigenSettings}. */
export const DEFAULT_EIGEN_SETTINGS: EigenSettings = { tolerance: 1e-3, maxIterations: 60 };

/** ℋ at `point` as a {@linkcode SymmetricOperator}. */
export function hessianOperator(point: PointEvaluation): SymmetricOperator {
  return { dim: point.theta.length, apply: (vs) => point.hessianProducts(vs) };
}

/** The report of a step of `dt` from `point` that used one eigen-solve (`eig`). */
export function eigenStepReport(
  point: PointEvaluation,
  t: number,
  dt: number,
  eig: EigenResult,
  gradientEvaluations: number,
  startedMs: number,
): StepReport {
  return {
    lossBefore: point.loss,
    dt,
    t: t + dt,
    eigenvalues: eig.values,
    eigenResidual: Math.max(...eig.residuals),
    operatorApplications: eig.applications,
    gradientEvaluations,
    wallMs: performance.now() - startedMs,
  };
}
