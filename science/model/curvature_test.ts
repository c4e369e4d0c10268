import { assert, assertEquals, assertLess } from "@std/assert";
import { selectBackend } from "./backend.ts";
import { Rng } from "../../util/rng.ts";
import { Objective } from "./objective.ts";
import {
  curvatureProducts,
  gaussNewtonVectorProduct,
  hessianVectorProduct,
  layerGaussNewtonProducts,
  residualHessianVectorProduct,
} from "./curvature.ts";
import {
  gaussNewton64,
  gradient64,
  hessian64,
  loss64,
  matVec64,
  relativeError,
  residualHessian64,
  tinyProblem,
} from "../testing/float64_mlp.ts";
import { parameterLayout } from "./layout.ts";

await selectBackend("wasm");

const ACTS = ["elu", "tanh", "relu"] as const;
const LOSSES = ["mse", "mse_half", "cross_entropy"] as const;

for (const activation of ACTS) {
  for (const loss of LOSSES) {
    Deno.test(`curvature products vs float64 dense matrices: ${activation} × ${loss}`, () => {
      const rng = new Rng(17);
      const sizes = [3, 5, 4, 3];
      const { problem, theta, x, labels } = tinyProblem(rng, sizes, activation, loss, 7);
      // shardRows 3 also exercises the sum over shards (7 = 3 + 3 + 1).
      const objective = new Objective({
        spec: { sizes, activation },
        loss,
        x,
        y: labels,
        shardRows: 3,
      });
      const point = objective.at(theta);
      try {
        assertLess(Math.abs(point.loss - loss64(problem, theta)) / loss64(problem, theta), 1e-6);
        assertLess(relativeError(point.gradient, gradient64(problem, theta)), 1e-5);
        const Hfull = hessian64(problem, theta), G = gaussNewton64(problem, theta);
        const Hres = residualHessian64(problem, theta);
        const P = theta.length;
        // The reference split itself: ℋ = G + H (float64, finite-difference accuracy).
        let maxDiff = 0, maxAbs = 0;
        for (let i = 0; i < P * P; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(Hfull[i] - G[i] - Hres[i]));
          maxAbs = Math.max(maxAbs, Math.abs(Hfull[i]));
        }
        assertLess(maxDiff / maxAbs, 1e-7);
        const vs = [0, 1, 2].map(() => Float64Array.from({ length: P }, () => rng.normal()));
        for (const v of vs) {
          const hv = hessianVectorProduct(point, v), gv = gaussNewtonVectorProduct(point, v);
          const rv = residualHessianVectorProduct(point, v);
          assertLess(relativeError(hv, matVec64(Hfull, v)), 1e-5, "ℋv");
          assertLess(relativeError(gv, matVec64(G, v)), 1e-5, "Gv");
          assertLess(relativeError(rv, matVec64(Hres, v)), 1e-5, "Hv");
          const sum = hv.map((_, i) => gv[i] + rv[i]);
          assertLess(relativeError(sum, hv), 1e-6, "ℋv = Gv + Hv");
        }
        // Batched products equal one-at-a-time products.
        const batched = curvatureProducts(point, "hessian", vs);
        vs.forEach((v, j) => assertLess(relativeError(batched[j], matVec64(Hfull, v)), 1e-5));
        // Per-layer Gauss–Newton blocks Gⁿⁿ.
        parameterLayout(sizes).forEach((l, n) => {
          const m = l.end - l.weightOffset;
          const vb = Float64Array.from({ length: m }, () => rng.normal());
          const want = new Float64Array(m);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < m; j++) {
              want[i] += G[(l.weightOffset + i) * P + l.weightOffset + j] * vb[j];
            }
          }
          const [got] = layerGaussNewtonProducts(point, n + 1, [vb]);
          assertEquals(got.length, m);
          assertLess(relativeError(got, want), 1e-5, `G${n + 1}${n + 1}v`);
        });
      } finally {
        point.dispose();
        objective.dispose();
      }
    });
  }
}

Deno.test("curvature products reject wrong lengths and layers with clear errors", () => {
  const rng = new Rng(1);
  const { theta, x, labels } = tinyProblem(rng, [2, 3, 2], "elu", "mse", 4);
  const objective = new Objective({
    spec: { sizes: [2, 3, 2], activation: "elu" },
    loss: "mse",
    x,
    y: labels,
  });
  const point = objective.at(theta);
  try {
    let message = "";
    try {
      hessianVectorProduct(point, new Float32Array(3));
    } catch (e) {
      message = (e as Error).message;
    }
    assert(message.includes("expected P = 17"), message);
    try {
      layerGaussNewtonProducts(point, 3, [new Float32Array(1)]);
    } catch (e) {
      message = (e as Error).message;
    }
    assert(message.includes("layer: 3 is not one of 1..2"), message);
  } finally {
    point.dispose();
    objective.dispose();
  }
});
