import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  combineInPlace,
  innerProducts,
  linearCombinations,
  norm,
  subtractCombinations,
} from "./basis_algebra.ts";
import { Rng } from "../../util/rng.ts";
import { helperTasksPosted } from "./kernel_threads.ts";
import { withKernelThreads } from "../testing/with_kernel_threads.ts";
import { SLICE } from "./_basis_kernels.ts";

// Small integers make every sum exact, so the chunked kernels must equal the definitions exactly;
// the length spans two full chunks and a partial one, the basis a group of four and two more, the
// block a group of three (the register-blocked path) and two more (the one-vector path).
const dim = 2500, rng = new Rng(7);
const integers = () => Float64Array.from({ length: dim }, () => rng.int(7) - 3);
const basis = Array.from({ length: 6 }, integers);
const block = Array.from({ length: 5 }, integers);

function dot(a: Float64Array, b: Float64Array): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

Deno.test("innerProducts: out[j][i] = basisᵢ·vectorsⱼ", () => {
  const out = innerProducts(basis, block);
  assertEquals(out.length, block.length);
  block.forEach((v, j) => assertEquals(Array.from(out[j]), basis.map((q) => dot(q, v))));
});

// Every size of a last, padded group of basis vectors (one to four), and more than one group.
for (const m of [1, 2, 3, 4, 6]) {
  Deno.test(`subtractCombinations and linearCombinations follow their definitions (m = ${m})`, () => {
    const few = basis.slice(0, m);
    const coefficients = [
      [1, -2, 0, 3, 1, -1],
      [0, 0, 0, 0, 0, 0],
      [-1, 1, 2, -2, 0, 3],
      [2, 0, -1, 1, 3, -2],
      [0, 1, 1, -3, 2, 1],
    ].map((row) => row.slice(0, m));
    const combination = (c: number[], t: number) => c.reduce((s, x, i) => s + x * few[i][t], 0);
    const vectors = block.map((v) => v.slice());
    subtractCombinations(vectors, few, coefficients);
    vectors.forEach((v, j) => {
      const expected = block[j].map((x, t) => x - combination(coefficients[j], t));
      assertEquals(Array.from(v), Array.from(expected));
    });
    linearCombinations(few, coefficients, dim).forEach((v, r) => {
      assertEquals(Array.from(v), Array.from(few[0], (_, t) => combination(coefficients[r], t)));
    });
  });
}

Deno.test("kernels accept an empty basis or block", () => {
  assertEquals(innerProducts([], block).map((o) => o.length), [0, 0, 0, 0, 0]);
  assertEquals(innerProducts(basis, []), []);
  assertEquals(Array.from(linearCombinations([], [[]], 3)[0]), [0, 0, 0]);
});

Deno.test("combineInPlace overwrites the first rows with the combinations of the old basis", () => {
  const coefficients = [[0, 0, 0, 0, 0, 1], [2, -1, 0, 1, 0, 3], [1, 1, 1, 1, 1, 1]];
  const expected = coefficients.map((c) =>
    basis[0].map((_, t) => c.reduce((s, x, i) => s + x * basis[i][t], 0))
  );
  const copy = basis.map((q) => q.slice());
  combineInPlace(copy, coefficients);
  expected.forEach((e, r) => assertEquals(Array.from(copy[r]), Array.from(e)));
  // Rows beyond the coefficients are left as they were.
  copy.slice(3).forEach((q, i) => assertEquals(Array.from(q), Array.from(basis[3 + i])));
  assertThrows(() => combineInPlace(copy.slice(0, 2), coefficients), Error, "3 rows");
});

Deno.test("norm is the Euclidean norm", () => {
  assertEquals(norm(Float64Array.of(3, 4)), 5);
  assertEquals(norm(Float64Array.of(1, 2, 2, 4, 2, 2, 4)), 7);
  assertAlmostEquals(norm(block[0]), Math.sqrt(dot(block[0], block[0])), 1e-12);
});

Deno.test("kernels split between helper threads give the definitions exactly, for any count", () => {
  // Shared vectors over several slices (the last one partial) and enough work to be shared.
  const n = 4 * SLICE + 1234, r = new Rng(11);
  const sharedIntegers = () => {
    const v = new Float64Array(new SharedArrayBuffer(8 * n));
    for (let t = 0; t < n; t++) v[t] = r.int(7) - 3;
    return v;
  };
  const Q = Array.from({ length: 9 }, sharedIntegers),
    V = Array.from({ length: 4 }, sharedIntegers);
  const coefficients = V.map((_, j) => Q.map((_, i) => ((i + 2 * j) % 5) - 2));
  const expectedDots = V.map((v) => Q.map((q) => dot(q, v)));
  const expectedSubtracted = V.map((v, j) =>
    v.map((x, t) => x - coefficients[j].reduce((s, c, i) => s + c * Q[i][t], 0))
  );
  const expectedCombined = coefficients.map((c) =>
    Q[0].map((_, t) => c.reduce((s, x, i) => s + x * Q[i][t], 0))
  );
  const sharedCopy = (v: Float64Array) => {
    const copy = new Float64Array(new SharedArrayBuffer(8 * n));
    copy.set(v);
    return copy;
  };
  for (const helpers of [0, 1, 3]) {
    withKernelThreads(helpers, () => {
      const posted = helperTasksPosted();
      assertEquals(innerProducts(Q, V).map((o) => Array.from(o)), expectedDots);
      const vectors = V.map(sharedCopy);
      subtractCombinations(vectors, Q, coefficients);
      vectors.forEach((v, j) => assertEquals(Array.from(v), Array.from(expectedSubtracted[j])));
      const basis = Q.map(sharedCopy);
      combineInPlace(basis, coefficients);
      expectedCombined.forEach((e, i) => assertEquals(Array.from(basis[i]), Array.from(e)));
      // Each kernel went to every helper.
      assertEquals(helperTasksPosted() - posted, 3 * helpers);
    });
  }
});
