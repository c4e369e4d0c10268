/**
 * What the reproduction measures (SCIENCE.md §2, §4, §5): the Gauss–Newton split of the Hessian
 * with its per-layer blocks, the layerwise Jacobians and their alignment, batched spectral norms,
 * and the power-law fit of alignment against dataset size.
 *
 * @module
 */
export { type HessianSplit, hessianSplit, hessianSplitHook } from "./hessian_split.ts";
export { type HessianSplitOptions } from "./hessian_split.ts";
export {
  type AlignmentOptions,
  alignmentPerSample,
  alignmentProgram,
  alignmentSummary,
  joinAlignment,
  type PerSampleAlignment,
  summariseAlignment,
} from "./alignment.ts";
export { firstLayerSensitivity, jacobianFactors, layerJacobian } from "./jacobians.ts";
export { batchedTopEigenvalue } from "./batched_spectral_norm.ts";
export {
  fitPowerLaw,
  olsLine,
  type PowerLawFit,
  type PowerLawPoint,
  type PowerLawResult,
} from "./power_law.ts";
