/**
 * What every solver shares: the objective interface it steps on, its configuration, and the typed
 * report of one step.
 *
 * @module
 */
import type { SolveOutcome } from "../linalg/eigen_solve_log.ts";

/** An objective evaluated at one θ (e.g. science/model/objective.ts's ObjectivePoint). */
export interface PointEvaluation {
  /** θ at which this was evaluated. */
  readonly theta: Float32Array;
  readonly loss: number;
  readonly accuracy: number;
  readonly gradient: ArrayLike<number>;
  /** ℋv for each vector. */
  hessianProducts(vectors: Float64Array[]): ArrayLike<number>[];
  dispose(): void;
}

/** A twice-differentiable objective on a flat parameter vector. */
export interface SmoothObjective {
  readonly parameterCount: number;
  at(theta: Float32Array): PointEvaluation;
}

/** The report of one solver step, taken from θ_k to θ_{k+1}. */
export interface StepReport {
  /** L(θ_k). */
  lossBefore: number;
  /** The flow-time increment of this step. */
  dt: number;
  /** Flow time after the step. */
  t: number;
  /** Eigenvalues of ℋ at θ_k that the step used (solver-specific order; empty for GD). */
  eigenvalues: number[];
  /** Largest residual ‖ℋv − λv‖ of those eigenpairs (0 when none). */
  eigenResidual: number;
  /** Whether the step's eigen-solve converged, and its relative residual; null when none. */
  eigenSolve: SolveOutcome | null;
  /** Hessian-vector products spent by the step. */
  operatorApplications: number;
  /** Gradient evaluations spent by the step (1 except for RK4's extra stages). */
  gradientEvaluations: number;
  /** Wall time of the step in milliseconds (excluding the evaluation of θ_k passed in). */
  wallMs: number;
}

/** The state a solver carries between steps (warm-start vectors), for checkpoints. */
export interface SolverState {
  /** The last eigen-solve's eigenvectors. */
  vectors: Float64Array[];
  /** The eigenvectors of the solve before, for extrapolated warm starts; empty when unused. */
  previousVectors: Float64Array[];
}

/** One solver: advance from an evaluated point. */
export interface Solver {
  /** A short name for logs and manifests, e.g. `ee(etaMax=0.01,k=2)`. */
  readonly description: string;
  /**
   * Takes one step from `point` (θ_k, evaluated) at flow time t; `step` is k (0-based, used by
   * warm-up schedules). Returns θ_{k+1}.
   */
  step(
    point: PointEvaluation,
    t: number,
    step: number,
  ): { theta: Float32Array; report: StepReport };
  state(): SolverState;
  restore(state: SolverState): void;
}
