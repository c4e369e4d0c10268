import { assertLess } from "@std/assert";
import { Rng } from "../../util/rng.ts";
import {
  gradient64,
  hessian64,
  hessianVectorProduct64,
  loss64,
  matVec64,
  relativeError,
  tinyProblem,
} from "./float64_mlp.ts";

Deno.test("float64 reference: analytic gradient vs central differences of the loss", () => {
  for (const activation of ["elu", "tanh", "relu"] as const) {
    for (const loss of ["mse", "mse_half", "cross_entropy"] as const) {
      const rng = new Rng(3);
      const { problem, theta } = tinyProblem(rng, [3, 4, 2], activation, loss, 5);
      const h = 1e-6;
      const fd = Array.from(theta, (_, j) => {
        const tp = Float64Array.from(theta), tm = Float64Array.from(theta);
        tp[j] += h;
        tm[j] -= h;
        return (loss64(problem, tp) - loss64(problem, tm)) / (2 * h);
      });
      assertLess(relativeError(gradient64(problem, theta), fd), 1e-7, `${activation} × ${loss}`);
    }
  }
});

Deno.test("float64 reference: hand-computed loss of a 1-1 linear net", () => {
  // f(x) = a·x + b with a = 2, b = −1 (output layer only); x = 3, target one-hot of 1 class.
  const p = {
    sizes: [1, 1],
    activation: "elu" as const,
    x: Float64Array.of(3),
    y: Float64Array.of(1),
    n: 1,
  };
  // z = 5: MSE (z − 1)² = 16, half: 8; cross-entropy over one class is 0.
  assertLess(Math.abs(loss64({ ...p, loss: "mse" }, [2, -1]) - 16), 1e-12);
  assertLess(Math.abs(loss64({ ...p, loss: "mse_half" }, [2, -1]) - 8), 1e-12);
  assertLess(Math.abs(loss64({ ...p, loss: "cross_entropy" }, [2, -1])), 1e-12);
});

Deno.test("float64 reference: exact Hessian-vector products vs the dense central-difference Hessian", () => {
  for (const activation of ["elu", "tanh"] as const) {
    for (const loss of ["mse", "mse_half", "cross_entropy"] as const) {
      const rng = new Rng(7);
      const { problem, theta } = tinyProblem(rng, [3, 5, 4, 2], activation, loss, 6);
      const H = hessian64(problem, theta);
      for (let trial = 0; trial < 3; trial++) {
        const v = Float64Array.from(theta, () => rng.normal());
        const exact = hessianVectorProduct64(problem, theta, v);
        assertLess(relativeError(exact, matVec64(H, v)), 1e-7, `${activation} × ${loss}`);
      }
    }
  }
});
