import { assert, assertAlmostEquals, assertEquals, assertLess } from "@std/assert";
import { selectBackend } from "../model/backend.ts";
import { Rng } from "../../util/rng.ts";
import { Objective } from "../model/objective.ts";
import { initTheta } from "../model/mlp.ts";
import { relativeError } from "../testing/float64_mlp.ts";
import { ExponentialEuler, stiffStepFactor } from "./exponential_euler.ts";
import { GradientFlowRk4 } from "./gradient_flow.ts";
import { orthonormalVectors, QuadraticObjective } from "../testing/quadratic_objective.ts";
import { DEFAULT_EIGEN_SETTINGS } from "./eigen_settings.ts";
import type { SmoothObjective, Solver } from "./types.ts";

await selectBackend("wasm");

function run(solver: Solver, objective: SmoothObjective, theta0: Float32Array, steps: number) {
  let theta = theta0, t = 0;
  for (let s = 0; s < steps; s++) {
    const point = objective.at(theta);
    const { theta: next, report } = solver.step(point, t, s);
    point.dispose();
    theta = next;
    t = report.t;
  }
  return { theta, t };
}

Deno.test("stiffStepFactor: closed form, small-λ limit and the cap for negative λ", () => {
  assertAlmostEquals(stiffStepFactor(10, 0.1), (1 - Math.exp(-1)) / 10, 1e-16);
  assertEquals(stiffStepFactor(0, 0.1), 0.1);
  assertAlmostEquals(stiffStepFactor(1e-12, 0.1), 0.1 - 0.5e-12 * 0.01, 1e-16);
  assertEquals(stiffStepFactor(-5, 0.1), 0.1);
});

Deno.test("EE is exact on a quadratic whose Hessian has rank k (vs the closed-form flow)", () => {
  const rng = new Rng(3);
  const n = 24, lambdas = [120, 35];
  const q = new QuadraticObjective(
    Float64Array.from({ length: n }, () => rng.normal()),
    lambdas,
    orthonormalVectors(n, 2, () => rng.normal()),
  );
  const theta0 = Float32Array.from({ length: n }, () => rng.normal());
  // η_max = 0.1 is 12× past GD's stability limit 2/120; EE must still follow the flow exactly.
  const ee = new ExponentialEuler({ etaMax: 0.1, k: 2, warmup: 0, eigen: DEFAULT_EIGEN_SETTINGS });
  const { theta, t } = run(ee, q, theta0, 7);
  assertAlmostEquals(t, 0.7, 1e-12);
  const exact = q.flow(theta0, t);
  assertLess(relativeError(theta, exact), 2e-6);
  // Mid-way too, with a warm-up that shortens the first steps.
  const warm = new ExponentialEuler({
    etaMax: 0.1,
    k: 2,
    warmup: 4,
    eigen: DEFAULT_EIGEN_SETTINGS,
  });
  const w = run(warm, q, theta0, 5);
  assertAlmostEquals(w.t, 0.1 * (0.25 + 0.5 + 0.75 + 1 + 1), 1e-12);
  assertLess(relativeError(w.theta, q.flow(theta0, w.t)), 2e-6);
});

Deno.test("EE converges to the RK4 gradient flow on a small net at first order in dt", () => {
  const rng = new Rng(21);
  const spec = { sizes: [2, 10, 10, 2], activation: "elu" as const };
  const n = 24;
  const x = Float32Array.from({ length: 2 * n }, () => rng.uniform());
  const y = Int32Array.from(
    { length: n },
    (_, i) => (x[2 * i] > 0.5) !== (x[2 * i + 1] > 0.5) ? 1 : 0,
  );
  const objective = new Objective({ spec, loss: "mse", x, y });
  const theta0 = initTheta(spec, rng);
  const T = 0.4;
  try {
    const flow = new GradientFlowRk4(objective, {
      dtMax: 0.0025,
      stiffnessFraction: 0.25,
      eigen: DEFAULT_EIGEN_SETTINGS,
    });
    const ref = run(flow, objective, theta0, 160);
    assertAlmostEquals(ref.t, T, 1e-9); // the net is not stiff here, so dt = dtMax throughout
    const errors = [0.02, 0.01].map((eta) => {
      const ee = new ExponentialEuler({
        etaMax: eta,
        k: 2,
        warmup: 0,
        eigen: DEFAULT_EIGEN_SETTINGS,
      });
      const r = run(ee, objective, theta0, Math.round(T / eta));
      assertAlmostEquals(r.t, T, 1e-9);
      const moved = relativeError(ref.theta, theta0);
      return relativeError(r.theta, ref.theta) * (1 / moved); // error relative to the distance moved
    });
    assertLess(errors[1], 0.02);
    // Halving dt halves the error (first-order method): ratio ≈ 2.
    assert(
      errors[0] / errors[1] > 1.7 && errors[0] / errors[1] < 2.3,
      `ratio ${errors[0] / errors[1]}`,
    );
  } finally {
    objective.dispose();
  }
});

Deno.test("EE's dt is η_max while 1/|λ_{k+1}| exceeds it, else 1/|λ_{k+1}| to the tolerance", () => {
  // A full-rank quadratic whose λ₃ = 25 heads a cluster (24.9, 24.7, …): its value converges slowly.
  const rng = new Rng(31);
  const n = 120,
    lambdas = [120, 35, 25, ...Array.from({ length: n - 3 }, (_, i) => 24.9 - 0.2 * i)];
  const q = new QuadraticObjective(
    Float64Array.from({ length: n }, () => rng.normal()),
    lambdas,
    orthonormalVectors(n, n, () => rng.normal()),
  );
  const point = q.at(Float32Array.from({ length: n }, () => rng.normal()));
  const stepWith = (etaMax: number) =>
    new ExponentialEuler({ etaMax, k: 2, warmup: 0, eigen: DEFAULT_EIGEN_SETTINGS })
      .step(point, 0, 0).report;
  // 1/25 > 0.01: dt is η_max exactly, however roughly λ₃ is known.
  assertEquals(stepWith(0.01).dt, 0.01);
  // 1/25 < 0.1: dt = 1/λ₃, with λ₃ known to 1e-3·λ₁ (the default tolerance) or better.
  const limited = stepWith(0.1);
  assertLess(Math.abs(1 / limited.dt - 25), 1e-3 * 120);
  assertAlmostEquals(limited.eigenvalues[2], 25, 1e-3 * 120);
});
