import { assert, assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import { selectBackend } from "../model/backend.ts";
import { lanczosTopK, type SymmetricOperator } from "./lanczos.ts";
import { symmetricEigen } from "./dense_eigen.ts";
import { Rng } from "../../util/rng.ts";
import { VectorPool } from "./vector_pool.ts";
import { assertOrthonormal } from "../testing/assert_orthonormal.ts";
import { Objective } from "../model/objective.ts";
import {
  curvatureOperator,
  curvatureProducts,
  layerGaussNewtonOperator,
} from "../model/curvature.ts";
import { parameterLayout } from "../model/layout.ts";
import {
  gaussNewton64,
  hessian64,
  matVec64,
  residualHessian64,
  tinyProblem,
} from "../testing/float64_mlp.ts";

await selectBackend("wasm");

function denseOperator(M: Float64Array, n: number): SymmetricOperator {
  return { dim: n, apply: (vs) => vs.map((v) => matVec64(M, v)) };
}

/** Q diag(values) Qᵀ with a random orthogonal Q (Gram–Schmidt of Gaussian vectors). */
function matrixWithSpectrum(values: number[], rng: Rng): Float64Array {
  const n = values.length, Q: Float64Array[] = [];
  while (Q.length < n) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const q of Q) {
      const c = q.reduce((s, x, i) => s + x * v[i], 0);
      q.forEach((x, i) => (v[i] -= c * x));
    }
    const r = Math.hypot(...v);
    Q.push(v.map((x) => x / r));
  }
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let m = 0; m < n; m++) s += Q[m][i] * values[m] * Q[m][j];
      M[i * n + j] = s;
    }
  }
  return M;
}

Deno.test("lanczosTopK matches the dense eigendecomposition of a tiny net's float64 Hessian", () => {
  const rng = new Rng(5);
  const sizes = [3, 6, 5, 2];
  const { problem, theta, x, labels } = tinyProblem(rng, sizes, "tanh", "cross_entropy", 9, 1.2);
  const H = hessian64(problem, theta);
  const P = theta.length;
  const dense = symmetricEigen(H, P);
  assert(dense.values.at(-1)! < -1e-3, "the test Hessian must have negative eigenvalues");
  const objective = new Objective({
    spec: { sizes, activation: "tanh" },
    loss: "cross_entropy",
    x,
    y: labels,
  });
  const point = objective.at(theta);
  const op: SymmetricOperator = { dim: P, apply: (vs) => curvatureProducts(point, "hessian", vs) };
  try {
    const top = lanczosTopK(op, { k: 3, tolerance: 1e-6 });
    assert(top.converged);
    top.values.forEach((v, i) =>
      assertAlmostEquals(v, dense.values[i], 1e-4 * Math.abs(dense.values[0]))
    );
    const byMagnitude = [...dense.values].sort((a, b) => Math.abs(b) - Math.abs(a));
    const mag = lanczosTopK(op, { k: 4, order: "magnitude", tolerance: 1e-6 });
    mag.values.forEach((v, i) =>
      assertAlmostEquals(v, byMagnitude[i], 1e-4 * Math.abs(byMagnitude[0]))
    );
    // Vectors agree with the dense ones up to sign.
    top.vectors.forEach((v, i) => {
      const c = Math.abs(v.reduce((s, x, j) => s + x * dense.vectors[i][j], 0));
      assertAlmostEquals(c, 1, 1e-3);
    });
  } finally {
    point.dispose();
    objective.dispose();
  }
});

Deno.test("lanczosTopK: negative eigenvalues, magnitude order and residuals on a known spectrum", () => {
  const rng = new Rng(9);
  const spectrum = [
    -9,
    7,
    5,
    3,
    1,
    0.5,
    -0.2,
    0.1,
    ...Array.from({ length: 32 }, (_, i) => 0.01 * i),
  ];
  const n = spectrum.length;
  const M = matrixWithSpectrum(spectrum, rng);
  const op = denseOperator(M, n);
  const mag = lanczosTopK(op, { k: 3, order: "magnitude", tolerance: 1e-10 });
  assert(mag.converged);
  [-9, 7, 5].forEach((v, i) => assertAlmostEquals(mag.values[i], v, 1e-8));
  mag.residuals.forEach((r) => assertLess(r, 1e-8));
  // The reported residuals are ‖Mv − λv‖ of the returned pairs, recomputed here densely.
  mag.vectors.forEach((v, i) => {
    const Mv = matVec64(M, v);
    const trueResidual = Math.hypot(...Mv.map((x, j) => x - mag.values[i] * v[j]));
    assertAlmostEquals(mag.residuals[i], trueResidual, 1e-12);
  });
  const alg = lanczosTopK(op, { k: 2, tolerance: 1e-10 });
  [7, 5].forEach((v, i) => assertAlmostEquals(alg.values[i], v, 1e-8));
});

Deno.test("lanczosTopK: an exact tie needs a block; a near-tie is resolved", () => {
  const rng = new Rng(11);
  const spectrum = [4, 4, 4 - 1e-3, 1, ...Array.from({ length: 26 }, (_, i) => 0.02 * i)];
  const op = denseOperator(matrixWithSpectrum(spectrum, rng), spectrum.length);
  const r = lanczosTopK(op, { k: 3, blockSize: 3, tolerance: 1e-9 });
  assert(r.converged);
  [4, 4, 4 - 1e-3].forEach((v, i) => assertAlmostEquals(r.values[i], v, 1e-7));
  // The two vectors of the tied pair are orthonormal.
  const d = r.vectors[0].reduce((s, x, j) => s + x * r.vectors[1][j], 0);
  assertAlmostEquals(d, 0, 1e-8);
});

Deno.test("lanczosTopK: a warm start from nearby vectors needs fewer applications", () => {
  const rng = new Rng(13);
  const spectrum = [10, 8, 6, ...Array.from({ length: 197 }, (_, i) => 5 * Math.exp(-i / 20))];
  const n = spectrum.length;
  const M = matrixWithSpectrum(spectrum, rng);
  const cold = lanczosTopK(denseOperator(M, n), { k: 3, blockSize: 3, tolerance: 1e-6 });
  // Perturb the matrix slightly (as one training step does) and warm-start from the old vectors.
  const E = matrixWithSpectrum(Array.from({ length: n }, () => 0.01 * rng.normal()), rng);
  const M2 = M.map((x, i) => x + E[i]);
  const op2 = denseOperator(M2, n);
  const cold2 = lanczosTopK(op2, { k: 3, blockSize: 3, tolerance: 1e-6 });
  const warm2 = lanczosTopK(op2, { k: 3, start: cold.vectors, tolerance: 1e-6 });
  assert(cold2.converged && warm2.converged);
  warm2.values.forEach((v, i) => assertAlmostEquals(v, cold2.values[i], 1e-5));
  assertLess(warm2.applications, cold2.applications);
});

Deno.test("lanczosTopK: start vectors that are not orthonormal, dependent or zero still work", () => {
  const rng = new Rng(19);
  const spectrum = [9, 7, 5, ...Array.from({ length: 57 }, (_, i) => 3 * 0.95 ** i)];
  const n = spectrum.length, M = matrixWithSpectrum(spectrum, rng);
  const random = () => Float64Array.from({ length: n }, () => rng.normal());
  const a = random(), b = random();
  const starts = [
    [a, b.map((x, i) => x + 0.999 * a[i]), random()], // far from orthogonal: a second QR pass
    [a, a.map((x) => 2 * x), random()], // dependent: the copy gives way to a random vector
    [a, new Float64Array(n), b], // a zero vector
    [a], // fewer than the block
  ];
  for (const start of starts) {
    const r = lanczosTopK(denseOperator(M, n), { k: 3, start, blockSize: 3, tolerance: 1e-8 });
    assert(r.converged);
    r.values.forEach((v, i) => assertAlmostEquals(v, spectrum[i], 1e-6));
    assertOrthonormal(r.vectors, 1e-10);
  }
});

Deno.test("lanczosTopK: thick restarts keep the answer and the orthogonality", () => {
  // A slowly decaying spectrum needs far more than 10 basis vectors: the solver must restart.
  const rng = new Rng(17);
  const spectrum = Array.from({ length: 150 }, (_, i) => (i % 2 ? -1 : 1) * 10 * 0.97 ** i);
  const n = spectrum.length;
  const M = matrixWithSpectrum(spectrum, rng);
  const op = denseOperator(M, n);
  const r = lanczosTopK(op, { k: 4, order: "magnitude", maxBasis: 10, tolerance: 1e-9 });
  assert(r.converged);
  assertLess(10, r.applications);
  const expected = [...spectrum].sort((a, b) => Math.abs(b) - Math.abs(a)).slice(0, 4);
  expected.forEach((v, i) => assertAlmostEquals(r.values[i], v, 1e-7));
  r.residuals.forEach((x) => assertLess(x, 1e-7));
  assertEquals(r.vectors.length, 4);
  assertOrthonormal(r.vectors, 1e-9);
  // Stopped by the cap on the very iteration that fills the basis (Q = 10, where a restart would
  // come next): the pairs returned are still Ritz pairs of that basis, with honest residuals.
  const capped = lanczosTopK(op, { k: 4, maxBasis: 10, maxIterations: 10, tolerance: 1e-12 });
  assert(!capped.converged);
  capped.vectors.forEach((v, i) => {
    const Mv = matVec64(M, v);
    assertAlmostEquals(Math.hypot(...v), 1, 1e-12);
    assertAlmostEquals(v.reduce((s, x, t) => s + x * Mv[t], 0), capped.values[i], 1e-10);
    const trueResidual = Math.hypot(...Mv.map((x, t) => x - capped.values[i] * v[t]));
    assertAlmostEquals(capped.residuals[i], trueResidual, 1e-10);
  });
  assertThrows(() => lanczosTopK(op, { k: 4, maxBasis: 5 }), Error, "lanczos.maxBasis");
});

Deno.test("lanczosTopK: a long run from a start nearly inside an invariant subspace stays exact", () => {
  // The start lies in the top four eigenvectors but for a 1e-8 leak, so the Krylov space nearly
  // closes after four products and the next vector comes from a tiny remainder; 150+ single-vector
  // iterations and several restarts follow. Orthogonality lost anywhere on the way grows
  // geometrically and shows as ghost or wrong eigenvalues (one Gram–Schmidt pass per product,
  // without the local step first, gives a Ritz value of 1552 here).
  const n = 300, rng = new Rng(5);
  const diagonal = Float64Array.from({ length: n }, (_, i) => n - i);
  const op: SymmetricOperator = {
    dim: n,
    apply: (vs) => vs.map((v) => v.map((x, i) => diagonal[i] * x)),
  };
  const start = Float64Array.from({ length: n }, (_, i) => (i < 4 ? 1 : 1e-8 * rng.normal()));
  const options = { k: 6, start: [start], blockSize: 1, tolerance: 1e-10, maxIterations: 300 };
  const r = lanczosTopK(op, options);
  assert(r.converged);
  assertLess(100, r.applications);
  r.values.forEach((v, i) => assertAlmostEquals(v, n - i, 1e-9));
  assertOrthonormal(r.vectors, 1e-12);
});

/** Q diag(values) Qᵀ with a random orthogonal Q, and Q's columns (the eigenvectors). */
function matrixWithEigenvectors(values: number[], rng: Rng) {
  const n = values.length, Q: Float64Array[] = [];
  while (Q.length < n) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        const c = q.reduce((s, x, i) => s + x * v[i], 0);
        q.forEach((x, i) => (v[i] -= c * x));
      }
    }
    const r = Math.hypot(...v);
    Q.push(v.map((x) => x / r));
  }
  const M = new Float64Array(n * n);
  Q.forEach((q, m) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) M[i * n + j] += q[i] * values[m] * q[j];
    }
  });
  return { M, vectors: Q };
}

Deno.test("lanczosTopK: a value-only pair's value is within tolerance·|λ| below λ, never above", () => {
  // λ₃ = 5 is small against λ₁ = 100 and has a close neighbour (4.99): the vector test
  // (r ≤ tolerance·max|θ|) would allow an error of up to 20·tolerance relative to λ₃.
  const rng = new Rng(19);
  const spectrum = [100, 80, 5, 4.99, ...Array.from({ length: 196 }, (_, i) => 4 * 0.98 ** i)];
  const n = spectrum.length;
  const op = denseOperator(matrixWithSpectrum(spectrum, rng), n);
  for (const tolerance of [1e-3, 1e-6]) {
    const r = lanczosTopK(op, { k: 3, blockSize: 3, tolerance, valueOnly: 1 });
    assert(r.converged);
    assertLess(r.residuals[2], tolerance * Math.abs(r.values[2]) * (1 + 1e-12));
    // Interlacing: the Ritz value never exceeds the eigenvalue (to rounding); the residual bounds
    // the rest of the gap.
    const error = 5 - r.values[2];
    assert(error >= -1e-12 && error <= tolerance * 5, `λ₃ − θ₃ = ${error}`);
    [100, 80].forEach((v, i) => assertAlmostEquals(r.values[i], v, tolerance * 100));
  }
  assertThrows(() => lanczosTopK(op, { k: 3, valueOnly: 3 }), Error, "lanczos.valueOnly");
});

Deno.test("lanczosTopK: a value-only pair is not accepted before it has converged", () => {
  // As in an EE step after the third eigenvalue changed: the warm start holds the eigenvectors of
  // 10 and 8 and, third, a direction that is no longer an eigenvector (a mix of the bulk ≤ 3),
  // while λ₃ = 7's eigenvector is nearly orthogonal to the start. After one iteration the third
  // Ritz value and its residual sum to less than the cutoff 6, which only says that some
  // eigenvalue lies below 6; the third pair must converge, and then it is 7's.
  const rng = new Rng(41);
  const spectrum = [10, 8, 7, 4, ...Array.from({ length: 116 }, (_, i) => 3 * 0.97 ** i)];
  const n = spectrum.length, { M, vectors } = matrixWithEigenvectors(spectrum, rng);
  const noise = () => (1e-2 * rng.normal()) / Math.sqrt(n);
  const bulk = new Float64Array(n);
  vectors.slice(4).forEach((v) => {
    const c = rng.normal();
    v.forEach((x, i) => (bulk[i] += c * x));
  });
  const start = [vectors[0], vectors[1], bulk].map((v) => v.map((x) => x + noise()));
  const options = { k: 3, order: "magnitude" as const, start, tolerance: 1e-3, valueOnly: 1 };
  const r = lanczosTopK(denseOperator(M, n), { ...options, valueCutoff: 6 });
  assert(r.converged);
  const error = 7 - r.values[2];
  assert(error >= -1e-12 && error <= 1e-3 * 7, `θ₃ = ${r.values[2]}, λ₃ = 7`);
});

Deno.test("lanczosTopK: a converged value-only pair below the caller's cutoff ends the solve", () => {
  // λ₃ = 5 sits in a cluster (4.99, 4.98, …), so its residual shrinks slowly.
  const rng = new Rng(29);
  const spectrum = [10, 8, 5, ...Array.from({ length: 197 }, (_, i) => 4.99 - 0.01 * i)];
  const n = spectrum.length;
  const op = denseOperator(matrixWithSpectrum(spectrum, rng), n);
  const options = { k: 3, blockSize: 3, tolerance: 1e-6, valueOnly: 1 };
  const plain = lanczosTopK(op, options);
  // A caller comparing λ₃ with 100 (a step size min(0.01, 1/|λ₃|)) is served by the vector test,
  // r₃ ≤ tolerance·max|θ|, sooner than by r₃ ≤ tolerance·|θ₃|.
  const cut = lanczosTopK(op, { ...options, valueCutoff: 100 });
  assert(plain.converged && cut.converged);
  assertLess(cut.applications, plain.applications);
  [10, 8].forEach((v, i) => assertAlmostEquals(cut.values[i], v, 1e-6 * 10));
  cut.residuals.forEach((r) => assertLess(r, 1e-6 * 10 * 1.01));
  // What the caller relies on: λ₃ ≥ θ₃, within r₃ of it, so below the cutoff.
  const error = 5 - cut.values[2];
  assert(error >= -1e-12 && error <= cut.residuals[2], `λ₃ − θ₃ = ${error}`);
  assertLess(Math.abs(cut.values[2]) + cut.residuals[2], 100);
  // A cutoff below |λ₃| never applies: the same iterations as without one.
  const low = lanczosTopK(op, { ...options, valueCutoff: 4.5 });
  assertEquals(low.applications, plain.applications);
  assertEquals(low.values, plain.values);
  assertThrows(
    () => lanczosTopK(op, { ...options, valueCutoff: -1 }),
    Error,
    "lanczos.valueCutoff",
  );
});

Deno.test("lanczosTopK: a shared workspace changes nothing but where the vectors live", () => {
  const rng = new Rng(23);
  const spectrum = Array.from({ length: 80 }, (_, i) => 6 * 0.95 ** i);
  const op = denseOperator(matrixWithSpectrum(spectrum, rng), spectrum.length);
  const options = { k: 3, blockSize: 3, maxBasis: 9, tolerance: 1e-9 };
  const alone = lanczosTopK(op, options);
  const workspace = new VectorPool(80);
  const first = lanczosTopK(op, { ...options, workspace });
  // Every working vector came back; the returned eigenvectors are the caller's, not the pool's.
  assertLess(0, workspace.free);
  const lent = workspace.free;
  const snapshot = first.vectors.map((v) => v.slice());
  const second = lanczosTopK(op, { ...options, workspace });
  assertEquals(workspace.free, lent);
  for (const r of [first, second]) {
    assertEquals(r.values, alone.values);
    assertEquals(r.applications, alone.applications);
  }
  assertEquals(second.vectors, alone.vectors);
  // Had they been pool vectors, the second solve would have overwritten them.
  assertEquals(first.vectors, snapshot);
  assertThrows(
    () => lanczosTopK(op, { k: 1, workspace: new VectorPool(79) }),
    Error,
    "lanczos.workspace",
  );
  // An operator that fails mid-solve, or whose products turn non-finite: the error says so, and
  // every vector comes back to the pool once.
  let calls = 0;
  const failing: SymmetricOperator = {
    dim: 80,
    apply: (vs) => {
      if (++calls === 3) throw new Error("operator failed");
      return op.apply(vs);
    },
  };
  assertThrows(() => lanczosTopK(failing, { ...options, workspace }), Error, "operator failed");
  const overflowing: SymmetricOperator = {
    dim: 80,
    apply: (vs) => op.apply(vs).map((p, j) => (j === 1 ? Array.from(p, (x) => x * Infinity) : p)),
  };
  assertThrows(
    () => lanczosTopK(overflowing, { ...options, workspace }),
    Error,
    "product 1 at iteration 1 is not finite",
  );
  assertLess(0, workspace.free);
  assertEquals(lanczosTopK(op, { ...options, workspace }).values, alone.values);
});

Deno.test("lanczosTopK: invariant subspace and bad options", () => {
  // A rank-2 operator: the Krylov space closes after two vectors; the answer is exact.
  const n = 6, u = [1, 2, 0, 0, 1, 0], w = [0, 1, 0, 3, 0, 1];
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * n + j] = 2 * u[i] * u[j] + w[i] * w[j];
  }
  const dense = symmetricEigen(M, n);
  const r = lanczosTopK(denseOperator(M, n), { k: 2, tolerance: 1e-12 });
  assert(r.converged);
  assertAlmostEquals(r.values[0], dense.values[0], 1e-10);
  assertAlmostEquals(r.values[1], dense.values[1], 1e-10);
  assertEquals(r.applications <= 4, true);
  assertThrows(() => lanczosTopK(denseOperator(M, n), { k: 0 }), Error, "lanczos.k");
  assertThrows(
    () => lanczosTopK(denseOperator(M, n), { k: 1, order: "largest" as "algebraic" }),
    Error,
    "lanczos.order",
  );
});

Deno.test("λ¹ of G, H (by magnitude) and each Gⁿⁿ via the curvature operators vs dense float64", () => {
  const rng = new Rng(31);
  const sizes = [3, 5, 4, 2];
  const { problem, theta, x, labels } = tinyProblem(rng, sizes, "elu", "mse", 8);
  const objective = new Objective({
    spec: { sizes, activation: "elu" },
    loss: "mse",
    x,
    y: labels,
  });
  const point = objective.at(theta);
  try {
    const P = theta.length;
    const G = gaussNewton64(problem, theta), H = residualHessian64(problem, theta);
    const topG = symmetricEigen(G, P).values[0];
    const hValues = symmetricEigen(H, P).values;
    const topH = Math.abs(hValues[0]) >= Math.abs(hValues.at(-1)!) ? hValues[0] : hValues.at(-1)!;
    const g = lanczosTopK(curvatureOperator(point, "gaussNewton"), { k: 1, tolerance: 1e-7 });
    assertAlmostEquals(g.values[0], topG, 1e-5 * Math.abs(topG));
    const h = lanczosTopK(curvatureOperator(point, "residual"), {
      k: 1,
      order: "magnitude",
      tolerance: 1e-7,
    });
    assertAlmostEquals(h.values[0], topH, 1e-4 * Math.abs(topH));
    let maxBlock = 0, sumBlocks = 0;
    parameterLayout(sizes).forEach((l, n) => {
      const m = l.end - l.weightOffset, block = new Float64Array(m * m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          block[i * m + j] = G[(l.weightOffset + i) * P + l.weightOffset + j];
        }
      }
      const want = symmetricEigen(block, m).values[0];
      const got =
        lanczosTopK(layerGaussNewtonOperator(point, n + 1), { k: 1, tolerance: 1e-7 }).values[0];
      assertAlmostEquals(got, want, 1e-5 * want);
      maxBlock = Math.max(maxBlock, got);
      sumBlocks += got;
    });
    assert(maxBlock <= g.values[0] * (1 + 1e-6) && g.values[0] <= sumBlocks * (1 + 1e-6));
  } finally {
    point.dispose();
    objective.dispose();
  }
});
