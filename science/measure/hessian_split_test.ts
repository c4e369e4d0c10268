import { assert, assertLess } from "@std/assert";
import { selectBackend } from "../model/backend.ts";
import { Rng } from "../../util/rng.ts";
import { Objective } from "../model/objective.ts";
import { hessianSplit } from "./hessian_split.ts";
import { symmetricEigen } from "../linalg/dense_eigen.ts";
import { gaussNewton64, residualHessian64, tinyProblem } from "../testing/float64_mlp.ts";
import { parameterLayout } from "../model/layout.ts";

await selectBackend("wasm");

/** Eigenvalues of a dense float64 matrix, from the independent dense solver. */
function eigenvalues(m: Float64Array, n: number): number[] {
  return Array.from(symmetricEigen(m, n).values);
}

function block(m: Float64Array, p: number, from: number, to: number): Float64Array {
  const size = to - from, out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) out[i * size + j] = m[(from + i) * p + from + j];
  }
  return out;
}

for (const [activation, loss] of [["tanh", "mse"], ["elu", "cross_entropy"]] as const) {
  Deno.test(`G/H split vs dense float64 matrices: ${activation} × ${loss}`, () => {
    const rng = new Rng(5);
    const sizes = [3, 6, 5, 3];
    const { problem, theta, x, labels } = tinyProblem(rng, sizes, activation, loss, 9);
    const objective = new Objective({ spec: { sizes, activation }, loss, x, y: labels });
    const point = objective.at(theta);
    try {
      const split = hessianSplit(point, { tolerance: 1e-6 });
      const P = theta.length;
      const G = gaussNewton64(problem, theta), H = residualHessian64(problem, theta);
      const gValues = eigenvalues(G, P), hValues = eigenvalues(H, P);
      const topG = Math.max(...gValues);
      const topH = hValues.reduce((a, b) => Math.abs(b) > Math.abs(a) ? b : a);
      assertLess(Math.abs(split.lambda_G - topG) / topG, 1e-4, "λ¹(G)");
      assertLess(Math.abs(split.lambda_H - topH) / Math.abs(topH), 1e-4, "λ¹(H), signed");
      let maxBlock = 0, sumBlocks = 0;
      parameterLayout(sizes).forEach((l, i) => {
        const want = Math.max(
          ...eigenvalues(block(G, P, l.weightOffset, l.end), l.end - l.weightOffset),
        );
        const got = split[`lambda_G_layer_${i + 1}`];
        assertLess(Math.abs(got - want) / want, 1e-4, `λ¹(G${i + 1}${i + 1})`);
        maxBlock = Math.max(maxBlock, got);
        sumBlocks += got;
      });
      // max_n λ¹(Gⁿⁿ) ≤ λ¹(G) ≤ Σ_n λ¹(Gⁿⁿ) (SCIENCE.md §2), up to the solver tolerance.
      assert(maxBlock <= split.lambda_G * (1 + 1e-5));
      assert(split.lambda_G <= sumBlocks * (1 + 1e-5));
    } finally {
      point.dispose();
      objective.dispose();
    }
  });
}
