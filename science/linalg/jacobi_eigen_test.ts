import { assertAlmostEquals, assertThrows } from "@std/assert";
import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { Rng } from "../../util/rng.ts";
import { jacobiEigen } from "./jacobi_eigen.ts";

Deno.test("jacobiEigen: 2×2 closed form, eigenvector equation and ties", () => {
  // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2.
  const e = jacobiEigen([2, 1, 1, 2], 2);
  assertAlmostEquals(e.values[0], 3, 1e-14);
  assertAlmostEquals(e.values[1], 1, 1e-14);
  assertAlmostEquals(Math.abs(e.vectors[0]), Math.SQRT1_2, 1e-14);
  assertAlmostEquals(e.vectors[0] * e.vectors[1], 0.5, 1e-14);
  const tie = jacobiEigen([4, 0, 0, 0, 4, 0, 0, 0, 1], 3);
  assertAlmostEquals(tie.values[0], 4, 0);
  assertAlmostEquals(tie.values[1], 4, 0);
  assertAlmostEquals(tie.values[2], 1, 0);
  assertThrows(() => jacobiEigen([1, 2, 3], 2), Error, "expected 2×2");
});

Deno.test("jacobiEigen: random 9×9 matches ml-matrix's eigen-decomposition", () => {
  const rng = new Rng(2);
  const k = 9;
  const b = Array.from({ length: k }, () => Array.from({ length: k }, () => rng.normal()));
  const sym = b.map((row, i) => row.map((x, j) => x + b[j][i]));
  const e = jacobiEigen(sym.flat(), k);
  const ref = new EigenvalueDecomposition(new MlMatrix(sym)).realEigenvalues.sort((x, y) => y - x);
  ref.forEach((v, i) => assertAlmostEquals(e.values[i], v, 1e-10));
  for (let m = 0; m < k; m++) { // A v = λ v
    const v = e.vectors.subarray(m * k, (m + 1) * k);
    sym.forEach((row, i) =>
      assertAlmostEquals(row.reduce((s, x, j) => s + x * v[j], 0), e.values[m] * v[i], 1e-10)
    );
  }
});
