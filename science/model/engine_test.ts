import { assert, assertEquals, assertThrows } from "@std/assert";
import { selectBackend } from "./backend.ts";
import { Objective } from "./objective.ts";
import { curvatureProducts, layerGaussNewtonProducts } from "./curvature.ts";
import { initTheta } from "./mlp.ts";
import { resolveWorkers, WORKERS_ENV } from "./engine.ts";
import { ExponentialEuler } from "../solvers/exponential_euler.ts";
import { DEFAULT_EIGEN_SETTINGS } from "../solvers/eigen_settings.ts";
import { hessianSplit } from "../measure/hessian_split.ts";
import { Rng } from "../../util/rng.ts";
import { CORES_ENV } from "../../util/cores.ts";
import { gradient64, relativeError, tinyProblem } from "../testing/float64_mlp.ts";

await selectBackend("wasm");

/** Every number the objective gives at one θ, as float64 arrays (for bitwise comparison). */
function everything(workers: number): Record<string, Float64Array> {
  const rng = new Rng(5);
  const spec = { sizes: [10, 12, 12, 3], activation: "tanh" as const };
  const n = 6 * 100; // 6 shards: 3 workers hold 2 each, 2 hold 3 each
  const x = Float32Array.from({ length: n * 10 }, () => rng.normal());
  const y = Int32Array.from({ length: n }, () => rng.int(3));
  const objective = new Objective({ spec, loss: "cross_entropy", x, y, workers, shardRows: 100 });
  assertEquals(objective.shards.length, 6);
  assertEquals(objective.workers, workers);
  const theta = initTheta(spec, rng);
  const v = Float64Array.from({ length: theta.length }, () => rng.normal());
  const point = objective.at(theta);
  try {
    const ee = new ExponentialEuler({
      etaMax: 0.5,
      k: 2,
      warmup: 0,
      eigen: { ...DEFAULT_EIGEN_SETTINGS, rng: new Rng(1) },
    });
    const step = ee.step(point, 0, 0);
    const a = objective.alignment(theta);
    const split = hessianSplit(point);
    return {
      loss: Float64Array.of(point.loss, point.accuracy),
      gradient: Float64Array.from(point.gradient),
      hessian: Float64Array.from(curvatureProducts(point, "hessian", [v, v.map((e) => -e)])[1]),
      gaussNewton: Float64Array.from(curvatureProducts(point, "gaussNewton", [v])[0]),
      residual: Float64Array.from(curvatureProducts(point, "residual", [v])[0]),
      layer2: Float64Array.from(layerGaussNewtonProducts(point, 2, [v.subarray(0, 156)])[0]),
      eeTheta: Float64Array.from(step.theta),
      eeReport: Float64Array.of(step.report.dt, ...step.report.eigenvalues),
      alignment: Float64Array.from([...a.alignment, ...a.alphas.flatMap((x) => [...x])]),
      split: Float64Array.from(Object.values(split)),
    };
  } finally {
    point.dispose();
    objective.dispose();
  }
}

Deno.test("0, 1, 2 and 3 workers give the same bits: loss, gradient, products, EE step, measurements", () => {
  const inProcess = everything(0);
  for (const workers of [1, 2, 3]) {
    const got = everything(workers);
    for (const [name, want] of Object.entries(inProcess)) {
      const same = got[name].length === want.length &&
        got[name].every((x, i) => Object.is(x, want[i]));
      assert(same, `${name} with ${workers} workers differs from the main thread's`);
    }
  }
});

Deno.test("a worker pool's gradient matches float64 (the workers compute, not just agree)", () => {
  const rng = new Rng(12);
  const sizes = [3, 5, 3];
  const { problem, theta, x, labels } = tinyProblem(rng, sizes, "tanh", "cross_entropy", 11);
  const o = new Objective({
    spec: { sizes, activation: "tanh" },
    loss: "cross_entropy",
    x,
    y: labels,
    shardRows: 4,
    workers: 2,
  });
  const p = o.at(theta);
  assert(relativeError(p.gradient, gradient64(problem, theta)) < 1e-5);
  p.dispose();
  o.dispose();
});

Deno.test("a worker's error reaches the main thread with its message; the pool then refuses", () => {
  const spec = { sizes: [2, 3, 2], activation: "elu" as const };
  const x = Float32Array.from({ length: 8 }, (_, i) => i / 8);
  const o = new Objective({ spec, loss: "mse", x, y: Int32Array.of(0, 1, 0, 1), workers: 1 });
  const p = o.at(new Float32Array(17));
  p.dispose();
  assertThrows(() => p.hessianProducts([new Float64Array(17)]), Error, "point 0 is not evaluated");
  assertThrows(() => o.at(new Float32Array(17)), Error, "the worker pool stopped earlier");
  o.dispose();
});

Deno.test("resolveWorkers: the request or EOS_WORKERS, at most the process's cores", () => {
  const saved = [Deno.env.get(WORKERS_ENV), Deno.env.get(CORES_ENV)];
  try {
    Deno.env.set(CORES_ENV, "4");
    Deno.env.delete(WORKERS_ENV);
    assertEquals(resolveWorkers(), 4);
    assertEquals(resolveWorkers(2), 2);
    assertEquals(resolveWorkers(9), 4);
    Deno.env.set(WORKERS_ENV, "3");
    assertEquals(resolveWorkers(), 3);
    Deno.env.set(CORES_ENV, "1");
    Deno.env.delete(WORKERS_ENV);
    assertEquals(resolveWorkers(), 0, "one core: the main thread alone");
    Deno.env.set(WORKERS_ENV, "two");
    assertThrows(() => resolveWorkers(), Error, `${WORKERS_ENV}: must be an integer`);
    assertThrows(() => resolveWorkers(-1), Error, "workers: must be an integer");
  } finally {
    for (const [name, value] of [[WORKERS_ENV, saved[0]], [CORES_ENV, saved[1]]] as const) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});
