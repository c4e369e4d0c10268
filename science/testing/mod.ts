/**
 * Test support: independent float64 references (the MLP, its losses, gradients, exact
 * Hessian-vector products and dense Hessians; a plain Lanczos eigen-solver; quadratic objectives
 * with a known flow) and small assertions, for tests only.
 *
 * @module
 */
export { assertOrthonormal } from "./assert_orthonormal.ts";
export { orthonormalVectors, QuadraticObjective } from "./quadratic_objective.ts";
export { withKernelThreads } from "./with_kernel_threads.ts";
export { type ReferenceEigen, referenceEigenvalues } from "./reference_eigen.ts";
