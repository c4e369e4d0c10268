import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { Matrix as MlMatrix, SingularValueDecomposition } from "ml-matrix";
import { selectBackend } from "../model/backend.ts";
import { type MlpSpec, parameterCount, parameterLayout } from "../model/layout.ts";
import { Rng } from "../../util/rng.ts";
import { alignmentPerSample, alignmentSummary } from "./alignment.ts";
import { matMul, type Matrix, preactivations, weightsOf } from "../testing/float64_mlp.ts";

/** θ from explicit float64 weights and biases, in the layout of model/layout.ts. */
function packTheta(sizes: number[], weights: Matrix[], biases: number[][]): Float32Array {
  const theta = new Float32Array(parameterCount(sizes));
  parameterLayout(sizes).forEach((l, k) => {
    theta.set(weights[k].flat(), l.weightOffset);
    theta.set(biases[k], l.biasOffset);
  });
  return theta;
}

function svd(m: Matrix) {
  return new SingularValueDecomposition(new MlMatrix(m), { autoTranspose: true });
}

Deno.test("alignment: hand-computed 2-2-2-2 network (a = 1/2, α = (1/2, 1))", async () => {
  await selectBackend("wasm");
  const sizes = [2, 2, 2, 2];
  // Large positive biases keep every ELU preactivation positive, so σ′ = 1 and Jⁿ = Aⁿ⁺¹.
  const theta = packTheta(
    sizes,
    [[[1, 0], [0, 1]], [[2, 0], [0, 1]], [[1, 0], [0, 3]]],
    [[5, 5], [20, 20], [0, 0]],
  );
  const inputs = Float32Array.of(0.1, -0.3, 0.7, 0.2);
  const p = alignmentPerSample({ sizes, activation: "elu" }, theta, inputs);
  for (let i = 0; i < 2; i++) {
    // S¹ = diag(1,3)·diag(2,1) = diag(2,3): ‖S¹‖ = 3, ‖J¹‖‖J²‖ = 2·3, u = e₂.
    assertAlmostEquals(p.s1Norm[i], 3, 1e-5);
    assertAlmostEquals(p.gainProduct[i], 6, 1e-5);
    assertAlmostEquals(p.alignment[i], 0.5, 1e-6);
    assertAlmostEquals(p.alphas[0][i], 0.5, 1e-6); // ‖A²ᵀ·3e₂‖ / (2·3)
    assertAlmostEquals(p.alphas[1][i], 1, 1e-6); // ‖A³ᵀe₂‖ / 3
    assertAlmostEquals(p.frobenius[i], Math.sqrt(13 / 50), 1e-6); // √(4+9) / (√5·√10)
    assertAlmostEquals(p.withJ0[i], 0.5, 1e-6); // ‖S¹·I‖ / (1·6)
  }
  assertAlmostEquals(p.firstWeightNorm, 1, 1e-6);
});

for (const widths of [[4, 5], [40, 30]]) {
  Deno.test(`alignment: exactly 1 for rank-one aligned layers (widths ${widths})`, async () => {
    await selectBackend("wasm");
    const [d1, d2] = widths, sizes = [3, d1, d2, 3];
    const rng = new Rng(11);
    const unit = (n: number) => {
      const v = Array.from({ length: n }, () => rng.normal());
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const v1 = unit(d1), u2 = unit(d2), u3 = unit(3);
    // J¹ = A² = 0.2·u₂v₁ᵀ and J² = A³ = 1.5·u₃u₂ᵀ share the singular vector u₂.
    const a2 = u2.map((x) => v1.map((y) => 0.2 * x * y));
    const a3 = u3.map((x) => u2.map((y) => 1.5 * x * y));
    const a1 = Array.from(
      { length: d1 },
      () => Array.from({ length: 3 }, () => 0.1 * rng.normal()),
    );
    const theta = packTheta(sizes, [a1, a2, a3], [
      Array(d1).fill(3),
      Array(d2).fill(3),
      Array(3).fill(0),
    ]);
    const inputs = Float32Array.from({ length: 15 }, () => rng.normal());
    const p = alignmentPerSample({ sizes, activation: "elu" }, theta, inputs);
    for (let i = 0; i < 5; i++) {
      assertAlmostEquals(p.alignment[i], 1, 1e-5);
      assertAlmostEquals(p.alphas[0][i], 1, 1e-5);
      assertAlmostEquals(p.alphas[1][i], 1, 1e-5);
      assertAlmostEquals(p.s1Norm[i], 0.3, 1e-6);
    }
  });
}

/** The float64 reference of every per-sample quantity, with norms from ml-matrix's SVD. */
function reference(spec: MlpSpec, theta: Float32Array, x: number[]) {
  const a = weightsOf(spec.sizes, theta);
  const pre = preactivations(spec, theta, x);
  const deriv = (v: number) => 1 - Math.tanh(v) ** 2;
  const jac = a.slice(1).map((w, k) => w.map((row) => row.map((y, j) => y * deriv(pre[k][j]))));
  let s1 = jac.at(-1)!;
  for (let k = jac.length - 2; k >= 0; k--) s1 = matMul(s1, jac[k]);
  const norms = jac.map((j) => svd(j).norm2);
  const top = svd(s1);
  const u = top.leftSingularVectors.getColumn(0);
  const gain = norms.reduce((s, x) => s * x, 1);
  const frob = (m: Matrix) => Math.hypot(...m.flat());
  const alphas: number[] = [];
  let w = u;
  for (let k = jac.length - 1; k >= 0; k--) {
    const next = jac[k][0].map((_, j) => jac[k].reduce((s, row, r) => s + row[j] * w[r], 0));
    alphas[k] = Math.hypot(...next) / (norms[k] * Math.hypot(...w));
    w = next;
  }
  return {
    alignment: top.norm2 / gain,
    s1Norm: top.norm2,
    gain,
    alphas,
    frobenius: frob(s1) / jac.reduce((s, j) => s * frob(j), 1),
    withJ0: svd(matMul(s1, a[0])).norm2 / (svd(a[0]).norm2 * gain),
  };
}

for (const exactBelow of [2, 100]) {
  Deno.test(`alignment: random tanh net matches a float64 SVD reference (exactBelow ${exactBelow})`, async () => {
    await selectBackend("wasm");
    const spec: MlpSpec = { sizes: [3, 24, 20, 18, 4], activation: "tanh" };
    const rng = new Rng(5);
    const theta = Float32Array.from(
      { length: parameterCount(spec.sizes) },
      () => 0.4 * rng.normal(),
    );
    const count = 6;
    const inputs = Float32Array.from({ length: count * 3 }, () => rng.normal());
    const p = alignmentPerSample(spec, theta, inputs, { exactBelow, lanczos: { tolerance: 1e-7 } });
    const close = (got: number, want: number, what: string) =>
      assert(Math.abs(got - want) <= 1e-4 * Math.abs(want), `${what}: ${got} vs ${want}`);
    for (let i = 0; i < count; i++) {
      const ref = reference(spec, theta, Array.from(inputs.subarray(3 * i, 3 * i + 3)));
      close(p.alignment[i], ref.alignment, `a[${i}]`);
      assert(p.alignment[i] < 0.99, "a random net is not aligned");
      close(p.s1Norm[i], ref.s1Norm, `‖S¹‖[${i}]`);
      close(p.gainProduct[i], ref.gain, `Π‖Jⁿ‖[${i}]`);
      close(p.frobenius[i], ref.frobenius, `a_F[${i}]`);
      close(p.withJ0[i], ref.withJ0, `a₀[${i}]`);
      ref.alphas.forEach((alpha, k) => close(p.alphas[k][i], alpha, `α${k + 1}[${i}]`));
      const product = p.alphas.reduce((s, alpha) => s * alpha[i], 1);
      close(product, p.alignment[i], `Π αₙ = a [${i}]`);
    }
  });
}

Deno.test("alignment: summary row has the stable column names and sample means", async () => {
  await selectBackend("wasm");
  const spec: MlpSpec = { sizes: [2, 6, 5, 4, 3], activation: "elu" };
  const rng = new Rng(9);
  const theta = Float32Array.from({ length: parameterCount(spec.sizes) }, () => rng.normal());
  const inputs = Float32Array.from({ length: 20 }, () => rng.normal());
  const before = tf.memory().numTensors;
  const row = alignmentSummary(spec, theta, inputs, { exactBelow: 4 });
  assertEquals(tf.memory().numTensors, before, "no tensor leaks across calls");
  assertEquals(Object.keys(row), [
    "align_mean",
    "align_geomean",
    "align_frob_mean",
    "align_j0_mean",
    "s1_norm_mean",
    "gain_product_mean",
    "alpha_1",
    "alpha_2",
    "alpha_3",
  ]);
  const p = alignmentPerSample(spec, theta, inputs, { exactBelow: 4 });
  const mean = (xs: Float64Array) => xs.reduce((s, x) => s + x, 0) / xs.length;
  assertAlmostEquals(row.align_mean, mean(p.alignment), 1e-12);
  assertAlmostEquals(row.align_geomean, Math.exp(mean(p.alignment.map(Math.log))), 1e-12);
  assert(row.align_geomean <= row.align_mean, "AM–GM");
  assertAlmostEquals(row.gain_product_mean, mean(p.gainProduct), 1e-9);
});

Deno.test("alignment: chunked measurement equals one pass; dead ReLU samples are left out", async () => {
  await selectBackend("wasm");
  const spec: MlpSpec = { sizes: [1, 20, 20, 2], activation: "relu" };
  const rng = new Rng(8);
  const theta = Float32Array.from({ length: parameterCount(spec.sizes) }, () => rng.normal());
  const layer = parameterLayout(spec.sizes)[0];
  // A¹ = 1, b¹ = 0: a negative input switches every first-layer ReLU off, so J¹ = 0.
  theta.fill(1, layer.weightOffset, layer.biasOffset);
  theta.fill(0, layer.biasOffset, layer.end);
  const inputs = Float32Array.of(0.5, 1, -2, 1.5, 0.7);
  const whole = alignmentPerSample(spec, theta, inputs);
  const chunked = alignmentPerSample(spec, theta, inputs, { chunkSize: 2 });
  // Equal up to the Lanczos tolerance (each chunk draws its own start vectors).
  whole.alignment.forEach((a, i) => {
    if (Number.isNaN(a)) assert(Number.isNaN(chunked.alignment[i]));
    else assertAlmostEquals(chunked.alignment[i], a, 1e-6);
  });
  assert(Number.isNaN(whole.alignment[2]) && whole.gainProduct[2] === 0);
  assert(whole.lanczosConverged && whole.lanczosSteps > 0, "the 20-wide layers use Lanczos");
  const row = alignmentSummary(spec, theta, inputs);
  const kept = [0, 1, 3, 4].map((i) => whole.alignment[i]);
  assertAlmostEquals(row.align_mean, kept.reduce((s, x) => s + x, 0) / 4, 1e-12);
});
