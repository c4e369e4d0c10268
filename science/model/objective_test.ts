import { assertAlmostEquals, assertLess, assertThrows } from "@std/assert";
import { selectBackend } from "./backend.ts";
import { Rng } from "../../util/rng.ts";
import { Objective } from "./objective.ts";
import {
  gradient64,
  loss64,
  output64,
  relativeError,
  tinyProblem,
} from "../testing/float64_mlp.ts";

await selectBackend("wasm");

Deno.test("Objective: loss, accuracy and gradient vs float64, independent of sharding", () => {
  const rng = new Rng(12);
  const sizes = [3, 5, 3];
  const { problem, theta, x, labels } = tinyProblem(rng, sizes, "tanh", "cross_entropy", 11);
  const z = output64(problem, theta);
  let correct = 0;
  for (let i = 0; i < 11; i++) {
    const row = Array.from(z.subarray(3 * i, 3 * i + 3));
    if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
  }
  for (const shardRows of [1, 4, 11, 100]) {
    const o = new Objective({
      spec: { sizes, activation: "tanh" },
      loss: "cross_entropy",
      x,
      y: labels,
      shardRows,
    });
    const p = o.at(theta);
    assertAlmostEquals(p.loss, loss64(problem, theta), 1e-6 * loss64(problem, theta));
    assertAlmostEquals(p.accuracy, correct / 11, 1e-12);
    assertLess(relativeError(p.gradient, gradient64(problem, theta)), 1e-5);
    const la = o.lossAndAccuracy(theta);
    assertAlmostEquals(la.loss, p.loss, 1e-6 * p.loss);
    p.dispose();
    o.dispose();
  }
});

Deno.test("Objective: soft targets for MSE equal the float64 loss", () => {
  const rng = new Rng(13);
  const sizes = [2, 4, 2];
  const { problem, theta, x } = tinyProblem(rng, sizes, "elu", "mse_half", 5);
  const y = Float32Array.from({ length: 10 }, () => rng.normal());
  const o = new Objective({ spec: { sizes, activation: "elu" }, loss: "mse_half", x, y });
  const p = o.at(theta);
  const want = loss64({ ...problem, y: Float64Array.from(y) }, theta);
  assertAlmostEquals(p.loss, want, 1e-6 * want);
  p.dispose();
  o.dispose();
});

Deno.test("Objective: bad inputs are clear errors", () => {
  const spec = { sizes: [2, 3, 2], activation: "elu" as const };
  const x = new Float32Array(6);
  assertThrows(
    () => new Objective({ spec, loss: "hinge" as "mse", x, y: new Int32Array(3) }),
    Error,
    'loss: "hinge"',
  );
  assertThrows(
    () => new Objective({ spec, loss: "mse", x: new Float32Array(5), y: new Int32Array(3) }),
    Error,
    "x: length 5",
  );
  assertThrows(
    () => new Objective({ spec, loss: "mse", x, y: Int32Array.of(0, 1, 2) }),
    Error,
    "label 2",
  );
  assertThrows(() => new Objective({ spec, loss: "mse", x, y: new Float32Array(5) }), Error, "N·C");
  assertThrows(
    () => new Objective({ spec, loss: "mse", x, y: new Int32Array(3), shardRows: 0 }),
    Error,
    "shardRows",
  );
});
