/**
 * Test support: independent float64 references (the MLP, its losses, gradients and dense
 * Hessians; quadratic objectives with a known flow) and small assertions, for tests only.
 *
 * @module
 */
export { assertOrthonormal } from "./assert_orthonormal.ts";
export { orthonormalVectors, QuadraticObjective } from "./quadratic_objective.ts";
export { withKernelThreads } from "./with_kernel_threads.ts";
