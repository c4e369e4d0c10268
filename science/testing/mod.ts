/**
 * Test support: independent float64 references (the MLP, its losses, gradients, exact
 * Hessian-vector products and dense Hessians; a plain Lanczos eigen-solver; quadratic objectives
 * with a known flow), small assertions, and a local file mirror for download tests, for tests
 * only.
 *
 * @module
 */
export { assertOrthonormal } from "./assert_orthonormal.ts";
export { orthonormalVectors, QuadraticObjective } from "./quadratic_objective.ts";
export { withKernelThreads } from "./with_kernel_threads.ts";
export { type ReferenceEigen, referenceEigenvalues } from "./reference_eigen.ts";
export { type FileMirror, type MirrorRequest, serveFiles } from "./file_mirror.ts";
