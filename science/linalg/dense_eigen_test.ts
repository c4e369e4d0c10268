import { assertAlmostEquals, assertEquals } from "@std/assert";
import { symmetricEigen } from "./dense_eigen.ts";

Deno.test("symmetricEigen: a hand-computed 2×2 and 3×3 case", () => {
  // [[2, 1], [1, 2]] has eigenvalues 3 (1, 1)/√2 and 1 (1, −1)/√2.
  const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
  assertAlmostEquals(values[0], 3, 1e-14);
  assertAlmostEquals(values[1], 1, 1e-14);
  assertAlmostEquals(Math.abs(vectors[0][0]), Math.SQRT1_2, 1e-14);
  assertAlmostEquals(vectors[0][0] * vectors[0][1], 0.5, 1e-14);
  assertAlmostEquals(vectors[1][0] * vectors[1][1], -0.5, 1e-14);
  // diag(−4, 0, 7) in scrambled order comes back sorted descending.
  const d = symmetricEigen([0, 0, 0, 0, 7, 0, 0, 0, -4], 3);
  assertEquals(d.values.map((v) => Math.round(v * 1e12) / 1e12), [7, 0, -4]);
  assertAlmostEquals(Math.abs(d.vectors[0][1]), 1, 1e-14);
});
