/**
 * The eigen-solver settings solvers share, the Hessian of an evaluated point as an operator, and
 * the warm-started eigen-solve a solver repeats at every step.
 *
 * @module
 */
import {
  type EigenResult,
  type LanczosOptions,
  lanczosTopK,
  type SymmetricOperator,
} from "../linalg/lanczos.ts";
import type { Rng } from "../../util/rng.ts";
import { solveOutcome } from "../linalg/eigen_solve_log.ts";
import { extrapolateSubspace } from "../linalg/subspace_extrapolation.ts";
import { poolOfDim, type VectorPool } from "../linalg/vector_pool.ts";
import type { PointEvaluation, SolverState, StepReport } from "./types.ts";

/** Tolerance and iteration cap of the Lanczos calls a solver makes. */
export interface EigenSettings {
  /**
   * Relative residual tolerance (science/linalg/lanczos.ts); default 1e-3: it bounds each eigenvalue's
   * error by 1e-3·|λ₁| and the stiff directions' angle error by ~1e-3·|λ₁|/gap, well inside what
   * the step needs, and costs about half the products of 1e-4 (bench/numerics.ts).
   */
  tolerance: number;
  /** Block-iteration cap per call; default 60. */
  maxIterations: number;
  /** Basis size at which Lanczos restarts (science/linalg/lanczos.ts); default its own. */
  maxBasis?: number;
  /** Source of random start vectors (cold starts); default a fixed seed per call. */
  rng?: Rng;
  /**
   * Warm start from the last eigenvectors moved on by this fraction of their change since the
   * solve before (science/linalg/subspace_extrapolation.ts). Omitted or 0: from the last eigenvectors as
   * they are, as a measurement every few steps of an oscillating GD run must. The solvers'
   * default (DEFAULT_EIGEN_SETTINGS) is ½: the whole change also carries their errors (up to the
   * tolerance) forward, and over config b's first 30 EE steps (bench/numerics.ts, measured
   * before EE's λ_{k+1} had to converge relative to itself, which added about 30% to those
   * steps) ½ took 15.2–15.5 products per step, 0.3 took 17.3, 1 took 17.0 and 0 took 20.6.
   */
  extrapolation?: number;
}

/** Defaults for {@linkcode EigenSettings}. */
export const DEFAULT_EIGEN_SETTINGS: EigenSettings = {
  tolerance: 1e-3,
  maxIterations: 60,
  extrapolation: 0.5,
};

/** ℋ at `point` as a {@linkcode SymmetricOperator}. */
export function hessianOperator(point: PointEvaluation): SymmetricOperator {
  return { dim: point.theta.length, apply: (vs) => point.hessianProducts(vs) };
}

/**
 * Which eigenpairs a step asks for; the other Lanczos options come from
 * {@linkcode EigenSettings}.
 */
export type EigenRequest = Pick<
  LanczosOptions,
  "k" | "order" | "blockSize" | "valueOnly" | "valueCutoff"
>;

/**
 * The eigen-solve repeated at every step: warm-started from the previous solve's eigenvectors,
 * extrapolated from the two last solves' where the settings ask (the two are the state a
 * checkpoint keeps), with one vector pool lending Lanczos its working vectors.
 */
export class WarmEigenSolve {
  #vectors: Float64Array[] = [];
  #previous: Float64Array[] = [];
  #pool?: VectorPool;

  constructor(readonly settings: EigenSettings) {}

  /** The requested eigenpairs of ℋ at `point`. */
  at(point: PointEvaluation, request: EigenRequest): EigenResult {
    const pool = this.#pool = poolOfDim(this.#pool, point.theta.length);
    const { tolerance, maxIterations, maxBasis, rng, extrapolation = 0 } = this.settings;
    const guess = extrapolation > 0
      ? extrapolateSubspace(this.#previous, this.#vectors, extrapolation, () => pool.take())
      : null;
    try {
      const eig = lanczosTopK(hessianOperator(point), {
        ...request,
        start: guess ?? this.#vectors,
        tolerance,
        maxIterations,
        maxBasis,
        rng,
        workspace: pool,
      });
      this.#previous = extrapolation > 0 ? this.#vectors : [];
      this.#vectors = eig.vectors;
      return eig;
    } finally {
      if (guess) pool.give(...guess);
    }
  }

  /** A copy of the last two solves' eigenvectors, all the next warm start depends on. */
  state(): SolverState {
    const copy = (vs: Float64Array[]) => vs.map((v) => v.slice());
    return { vectors: copy(this.#vectors), previousVectors: copy(this.#previous) };
  }

  restore(state: SolverState): void {
    this.#vectors = state.vectors.map((v) => v.slice());
    this.#previous = state.previousVectors.map((v) => v.slice());
  }
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
    eigenSolve: solveOutcome(eig),
    operatorApplications: eig.applications,
    gradientEvaluations,
    wallMs: performance.now() - startedMs,
  };
}
