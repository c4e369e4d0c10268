/**
 * Training: the full-batch loop (`train`: a solver stepped from θ₀ until a stopping rule holds,
 * with measurements every few steps, divergence checks and checkpoints that resume a killed run),
 * and one run of the reproduction end to end (`trainingRun`: dataset in, tables and summary out).
 *
 * @module
 */
export {
  type MeasureContext,
  type MeasurementFunction,
  type MeasurementHook,
  type MeasurementRow,
  type Progress,
  type StatefulMeasurement,
  type StopReason,
  type StopRule,
  train,
  TrainingDivergedError,
  type TrainOptions,
  type TrainResult,
  type TrajectoryRow,
} from "./train.ts";
export {
  trainingRun,
  type TrainingRunConfig,
  type TrainingRunOutcome,
  type TrainingRunSummary,
} from "./training_run.ts";
export { type Divergence } from "./divergence.ts";
