import { assert, assertAlmostEquals, assertEquals, assertLess } from "@std/assert";
import { lanczosTopK, type SymmetricOperator } from "./lanczos.ts";
import { helperTasksPosted } from "./kernel_threads.ts";
import { withKernelThreads } from "../testing/with_kernel_threads.ts";
import { Rng } from "../../util/rng.ts";

/**
 * A = H·diag(d)·H with the Householder reflection H = I − 2uuᵀ (u a unit vector): its eigenvalues
 * are d, its eigenvectors H·eᵢ, and a product costs O(n), so it can be long enough for the
 * eigen-solver's kernels to be shared between threads.
 */
function reflectedDiagonal(d: Float64Array, rng: Rng): SymmetricOperator {
  const n = d.length, u = Float64Array.from({ length: n }, () => rng.normal());
  const s = Math.hypot(...u);
  u.forEach((x, i) => (u[i] = x / s));
  const reflect = (v: ArrayLike<number>) => {
    let c = 0;
    for (let i = 0; i < n; i++) c += u[i] * v[i];
    return Float64Array.from(v, (x, i) => x - 2 * c * u[i]);
  };
  return {
    dim: n,
    apply: (vs) => vs.map((v) => reflect(reflect(v).map((x, i) => x * d[i]))),
  };
}

Deno.test("lanczosTopK gives the same bits with and without kernel helper threads", () => {
  const n = 100_000, rng = new Rng(31);
  const d = Float64Array.from({ length: n }, () => rng.normal());
  [7, -6.5, 6.2, 6.1].forEach((x, i) => (d[i * 997] = x));
  const op = reflectedDiagonal(d, rng);
  const options = { k: 3, order: "magnitude" as const, blockSize: 3, tolerance: 1e-8 };
  const alone = withKernelThreads(0, () => lanczosTopK(op, options));
  const posted = helperTasksPosted();
  const shared = withKernelThreads(2, () => lanczosTopK(op, options));
  assertLess(posted, helperTasksPosted());
  // Against the spectrum built in: 7, −6.5, 6.2 by magnitude.
  [7, -6.5, 6.2].forEach((x, i) => assertAlmostEquals(shared.values[i], x, 1e-7));
  assert(shared.converged);
  assertEquals(shared.values, alone.values);
  assertEquals(shared.applications, alone.applications);
  assertEquals(shared.vectors, alone.vectors);
});
