/**
 * A test assertion on eigen-solver and QR outputs, computed directly in float64.
 *
 * @module
 */
import { assertAlmostEquals } from "@std/assert";

/** Asserts vᵢ·vⱼ = δᵢⱼ to within `tolerance` for every pair. */
export function assertOrthonormal(vectors: readonly ArrayLike<number>[], tolerance: number): void {
  vectors.forEach((u, i) =>
    vectors.slice(0, i + 1).forEach((w, j) => {
      let d = 0;
      for (let t = 0; t < u.length; t++) d += u[t] * w[t];
      assertAlmostEquals(d, i === j ? 1 : 0, tolerance, `v${i}·v${j}`);
    })
  );
}
