/**
 * The full-batch solvers of SCIENCE.md §3, each with the same `step(point, t, step)` returning a
 * small typed `StepReport`: gradient descent, adaptive GD, exponential Euler (the paper's solver)
 * and the RK4 gradient-flow reference; `createSolver` builds one from a plain configuration.
 *
 * @module
 */
export { createSolver, defaultStiffDimension, SOLVER_KINDS, type SolverConfig } from "./create.ts";
export {
  DEFAULT_EIGEN_SETTINGS,
  type EigenRequest,
  type EigenSettings,
  hessianOperator,
  WarmEigenSolve,
} from "./eigen_settings.ts";
export {
  ExponentialEuler,
  type ExponentialEulerOptions,
  stiffStepFactor,
} from "./exponential_euler.ts";
export { AdaptiveGradientDescent, GradientDescent } from "./gradient_descent.ts";
export { type GradientFlowOptions, GradientFlowRk4 } from "./gradient_flow.ts";
export type { PointEvaluation, SmoothObjective, Solver, SolverState, StepReport } from "./types.ts";
