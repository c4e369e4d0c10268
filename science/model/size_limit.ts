/**
 * The largest network a run may have, checked before any work so that a typo such as
 * `hidden: [1000000000]` is an error naming the field, not an `Array buffer allocation failed`
 * minutes into a run.
 *
 * The bound is on memory the run cannot avoid: the eigen-solver keeps its Lanczos basis (up to
 * 24 vectors before a restart, science/linalg/lanczos.ts) and the Hessian products of those
 * vectors, all float64 vectors of length P, so about 2 · 24 · 8 · P bytes. Allowing 16 GiB for
 * them, what a 24–32 GiB workstation or a GPU node can spare beside TensorFlow.js's own copies of
 * θ and the activations, gives P ≤ 44.7 million; the paper's largest network (3072-512-512-512-10
 * on CIFAR-10) has 2.1 million.
 *
 * @module
 */
import { parameterCount } from "./layout.ts";

/** Bytes per parameter the eigen-solver needs: 2 × 24 float64 vectors of length P. */
export const EIGEN_BYTES_PER_PARAMETER = 2 * 24 * 8;

/** The memory allowed for the eigen-solver's vectors (16 GiB). */
export const EIGEN_MEMORY_BUDGET = 16 * 2 ** 30;

/** The largest parameter count a run may have. */
export const MAX_PARAMETERS = Math.floor(EIGEN_MEMORY_BUDGET / EIGEN_BYTES_PER_PARAMETER);

/**
 * Null when an MLP of these widths (inputs, hidden…, outputs) fits the bound, else a sentence
 * saying how many parameters it has and what they would need.
 */
export function networkSizeProblem(sizes: readonly number[]): string | null {
  const p = parameterCount(sizes);
  if (p <= MAX_PARAMETERS) return null;
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toPrecision(3)} GiB`;
  return `the network ${sizes.join("-")} has ${p.toExponential(3)} parameters; the ` +
    `eigen-solver's float64 basis and its Hessian products would need ` +
    `${gib(p * EIGEN_BYTES_PER_PARAMETER)}, over the ${gib(EIGEN_MEMORY_BUDGET)} allowed ` +
    `(at most ${MAX_PARAMETERS.toLocaleString("en")} parameters)`;
}
