/**
 * The network and its objective (SCIENCE.md §1–2): the compute backend, the MLP on one flat
 * parameter vector θ (its layout, initialisation and forward pass), the losses, the full-batch
 * objective evaluated at a point, and exact curvature products (ℋv, Gv, Hv and per-layer Gⁿⁿv)
 * by Pearlmutter's R-operator; the objective's examples in shards, computed on the main thread or
 * data-parallel in worker threads with the same bits, and read-back programs that run on
 * synchronous and asynchronous (GPU) backends alike.
 *
 * @module
 */
export {
  activeBackendName,
  asyncReadBack,
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  type BackendChoice,
  type BackendRequest,
  BackendUnavailableError,
  parseBackendRequest,
  selectBackend,
} from "./backend.ts";
export {
  type Activation,
  ACTIVATIONS,
  type LayerSlice,
  type MlpSpec,
  parameterCount,
  parameterLayout,
} from "./layout.ts";
export {
  activate,
  checkThetaLength,
  initTheta,
  type LayerTensors,
  layerTensors,
  loadThetaNpy,
  mlpOutput,
  saveThetaNpy,
  validateMlpSpec,
} from "./mlp.ts";
export { LOSS_KINDS, type LossKind, targetMatrix, validateLossKind } from "./loss.ts";
export { Objective, type ObjectiveConfig, ObjectivePoint } from "./objective.ts";
export {
  type CurvatureKind,
  curvatureOperator,
  curvatureProducts,
  gaussNewtonVectorProduct,
  hessianVectorProduct,
  layerGaussNewtonOperator,
  layerGaussNewtonProducts,
  residualHessianVectorProduct,
} from "./curvature.ts";
export { installExactGradients } from "./exact_gradients.ts";
export { MIN_SHARD_ROWS, MIN_SHARD_WORK, type Shard, SHARD_COUNTS, shardPlan } from "./shards.ts";
export {
  createEngine,
  MAX_WORKERS,
  resolveWorkers,
  type ShardEngine,
  WORKERS_ENV,
} from "./engine.ts";
export { type ReadProgram, runAsync, runSync, runTogether } from "./readback.ts";
