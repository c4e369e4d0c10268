import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { gramSchmidt, type OrthonormalBlock, orthonormaliseBlock } from "./block_orthonormalise.ts";
import { Rng } from "../../util/rng.ts";
import { VectorPool } from "./vector_pool.ts";
import { assertOrthonormal } from "../testing/assert_orthonormal.ts";

const dim = 3000, rng = new Rng(3);
const gaussian = () => Float64Array.from({ length: dim }, () => rng.normal());
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));

/** Checks orthonormality and that each kept input is Σᵢ factor[j][i]·outᵢ, both directly. */
function assertFactorisation(inputs: Float64Array[], block: OrthonormalBlock, tolerance: number) {
  const { vectors, factor } = block;
  assertOrthonormal(vectors, tolerance);
  inputs.forEach((x, j) => {
    const rebuilt = new Float64Array(dim);
    vectors.forEach((u, i) => u.forEach((y, t) => (rebuilt[t] += factor[j][i] * y)));
    const error = norm(rebuilt.map((y, t) => y - x[t]));
    assert(error <= tolerance * norm(x), `input ${j}: ‖rebuilt − input‖ = ${error}`);
    // Input j lies along the first j + 1 outputs only (a triangular factor).
    factor[j].slice(j + 1).forEach((f) => assertEquals(f, 0));
  });
}

Deno.test("orthonormaliseBlock: a well-conditioned block", () => {
  const inputs = [gaussian(), gaussian(), gaussian()];
  const pool = new VectorPool(dim);
  const block = orthonormaliseBlock(inputs.map((v) => v.slice()), inputs.map(norm), pool);
  assertEquals(block.vectors.length, 3);
  assertFactorisation(inputs, block, 1e-13);
});

// Cholesky QR's first pass leaves an orthogonality error of about ε·κ²: 10⁻¹⁰ at κ ≈ 10³.
for (const [kappa, what] of [[1e3, "a second Cholesky pass"], [1e6, "Gram–Schmidt"]] as const) {
  Deno.test(`orthonormaliseBlock: an ill-conditioned block (κ ≈ ${kappa}) gets ${what}`, () => {
    const a = gaussian(), b = gaussian();
    const inputs = [a, a.map((x, t) => x + b[t] / kappa), gaussian()];
    const block = orthonormaliseBlock(
      inputs.map((v) => v.slice()),
      inputs.map(norm),
      new VectorPool(dim),
    );
    assertEquals(block.vectors.length, 3);
    assertFactorisation(inputs, block, 1e-13);
  });
}

Deno.test("orthonormaliseBlock: dependent and zero vectors are dropped back into the pool", () => {
  const a = gaussian(), b = gaussian(), c = gaussian();
  const inputs = [a, b, a.map((x, t) => x + 1e-13 * c[t]), new Float64Array(dim)];
  const pool = new VectorPool(dim);
  const block = orthonormaliseBlock(inputs.map((v) => v.slice()), inputs.map(norm), pool);
  assertEquals(block.vectors.length, 2);
  assertEquals(pool.free, 2);
  // The dropped input is still (to 1e-10 of its norm) the combination its factor row gives.
  assertFactorisation(inputs, block, 1e-10);
});

Deno.test("gramSchmidt: against a basis, topped up with random vectors", () => {
  const pool = new VectorPool(dim);
  const basis = orthonormaliseBlock([gaussian(), gaussian()], [1, 1], pool).vectors;
  const inputs = [basis[0].map((x, t) => 2 * x - basis[1][t])];
  const out = gramSchmidt(inputs.map((v) => v.slice()), basis, 2, gaussian, 2, pool).vectors;
  // The input lies in the basis's span: dropped; two random vectors replace it.
  assertEquals(out.length, 2);
  assertEquals(pool.free, 1);
  for (const u of out) {
    assertAlmostEquals(norm(u), 1, 1e-13);
    basis.forEach((q) => assertAlmostEquals(dot(u, q), 0, 1e-13));
  }
  assertAlmostEquals(dot(out[0], out[1]), 0, 1e-13);
});
