/**
 * Linear algebra in float64: the Krylov eigen-solver the curvature measurements and the solvers
 * rest on (block Lanczos with thick restarts, `lanczosTopK`; a run's account of its solves,
 * `EigenSolveLog`), dense symmetric eigen-decomposition
 * for small projected matrices, block orthonormalisation, the basis kernels with their helper
 * threads, the vector pool that lends working vectors, and warm-start extrapolation.
 *
 * Everything here works on plain `Float64Array`s and a `SymmetricOperator` (a product with a block
 * of vectors); nothing knows of networks or TensorFlow.js.
 *
 * @module
 */
export {
  type EigenOrder,
  type EigenResult,
  type LanczosOptions,
  lanczosTopK,
  smallestMaxBasis,
  type SymmetricOperator,
} from "./lanczos.ts";
export {
  type EigenSolveCounts,
  EigenSolveLog,
  type SolveOutcome,
  solveOutcome,
} from "./eigen_solve_log.ts";
export { type DenseEigen, symmetricEigen } from "./dense_eigen.ts";
export { gramSchmidt, type OrthonormalBlock, orthonormaliseBlock } from "./block_orthonormalise.ts";
export {
  combineInPlace,
  innerProducts,
  linearCombinations,
  norm,
  subtractCombinations,
} from "./basis_algebra.ts";
export { kernelThreads, setKernelThreads } from "./kernel_threads.ts";
export { poolOfDim, VectorPool } from "./vector_pool.ts";
export { extrapolateSubspace, MIN_SUBSPACE_COSINE } from "./subspace_extrapolation.ts";
export { type JacobiEigen, jacobiEigen } from "./jacobi_eigen.ts";
