/**
 * The science of the reproduction, in rooms (each with its own `mod.ts`):
 *
 * - `model/`: backend, MLP on a flat θ, losses, objective, exact curvature products
 * - `linalg/`: the float64 Krylov eigen-solver and its kernels
 * - `solvers/`: GD, adaptive GD, exponential Euler, the RK4 flow
 * - `training/`: the training loop and one run end to end
 * - `measure/`: Hessian split, Jacobians, alignment, power law
 * - `datasets/`, `io/`: data in, files out
 * - `testing/`: float64 references for the tests
 *
 * The main path of one run: `trainingRun` (training/) → `train` → a solver's `step` → the
 * objective's gradient and curvature products → `lanczosTopK`; measurements every few steps.
 *
 * @module
 */
export { trainingRun, type TrainingRunConfig, type TrainingRunSummary } from "./training/mod.ts";
export { train, type TrainOptions, type TrainResult } from "./training/mod.ts";
export { createSolver, type SolverConfig } from "./solvers/mod.ts";
export { lanczosTopK } from "./linalg/mod.ts";
