import { assert, assertAlmostEquals, assertLess, assertThrows } from "@std/assert";
import { Rng } from "../../util/rng.ts";
import { relativeError } from "../testing/float64_mlp.ts";
import { AdaptiveGradientDescent, GradientDescent } from "./gradient_descent.ts";
import { GradientFlowRk4 } from "./gradient_flow.ts";
import { orthonormalVectors, QuadraticObjective } from "../testing/quadratic_objective.ts";
import { DEFAULT_EIGEN_SETTINGS } from "./eigen_settings.ts";
import { createSolver } from "./create.ts";

function quadratic(seed: number, lambdas: number[], n = 16) {
  const rng = new Rng(seed);
  const q = new QuadraticObjective(
    new Float64Array(n),
    lambdas,
    orthonormalVectors(n, n, () => rng.normal()).slice(0, lambdas.length),
  );
  const theta0: Float32Array = Float32Array.from({ length: n }, () => rng.normal());
  return { q, theta0 };
}

function component(q: QuadraticObjective, theta: ArrayLike<number>, m: number): number {
  return q.eigenvectors[m].reduce((s, u, i) => s + u * (theta[i] - q.minimiser[i]), 0);
}

Deno.test("GD diverges exactly as theory says when 2/η is below the sharpness", () => {
  const { q, theta0 } = quadratic(1, [10, 3, 1]);
  for (const [eta, diverges] of [[0.25, true], [0.15, false]] as const) {
    const gd = new GradientDescent(eta);
    let theta = theta0, t = 0;
    const losses: number[] = [];
    for (let s = 0; s < 12; s++) {
      const p = q.at(theta);
      losses.push(p.loss);
      ({ theta, report: { t } } = gd.step(p, t));
    }
    assertAlmostEquals(t, 12 * eta, 1e-12);
    // The top eigen-component is multiplied by exactly (1 − ηλ) per step.
    const want = component(q, theta0, 0) * (1 - eta * 10) ** 12;
    assertAlmostEquals(component(q, theta, 0), want, 1e-5 * Math.max(1, Math.abs(want)));
    assert(diverges ? losses.at(-1)! > 10 * losses[0] : losses.at(-1)! < losses[0]);
  }
});

Deno.test("adaptive GD takes dt = min(η_max, 1/λ¹)", () => {
  const { q, theta0 } = quadratic(2, [40, 5, 2]);
  const agd = new AdaptiveGradientDescent(1, DEFAULT_EIGEN_SETTINGS);
  const { report } = agd.step(q.at(theta0), 0);
  assertAlmostEquals(report.dt, 1 / 40, 1e-6);
  assertAlmostEquals(report.eigenvalues[0], 40, 1e-4);
  const capped = new AdaptiveGradientDescent(0.01, DEFAULT_EIGEN_SETTINGS).step(q.at(theta0), 0);
  assertAlmostEquals(capped.report.dt, 0.01, 1e-15);
});

Deno.test("RK4 gradient flow matches the closed-form flow of a stiff quadratic", () => {
  const { q, theta0 } = quadratic(3, [200, 20, 1, 0.1]);
  const flow = new GradientFlowRk4(q, {
    dtMax: 0.05,
    stiffnessFraction: 0.25,
    eigen: DEFAULT_EIGEN_SETTINGS,
  });
  let theta = theta0, t = 0;
  for (let s = 0; s < 60; s++) {
    const r = flow.step(q.at(theta), t);
    assertAlmostEquals(r.report.dt, 0.25 / 200, 1e-8);
    theta = r.theta;
    t = r.report.t;
  }
  assertLess(relativeError(theta, q.flow(theta0, t)), 1e-5);
});

Deno.test("createSolver validates its configuration with clear errors", () => {
  const { q } = quadratic(4, [1]);
  assertThrows(() => createSolver({ kind: "gd", eta: -1 }, q, "mse", 2), Error, "solver.eta");
  assertThrows(
    () => createSolver({ kind: "rk9" } as unknown as { kind: "gd"; eta: number }, q, "mse", 2),
    Error,
    'solver.kind: "rk9" is not one of gd, agd, ee, flow',
  );
  assertThrows(
    () => createSolver({ kind: "ee", etaMax: 0.1, k: 0 }, q, "mse", 2),
    Error,
    "solver.k",
  );
  assert(
    createSolver({ kind: "ee", etaMax: 0.1 }, q, "cross_entropy", 3).description.includes("k=2"),
  );
  assert(createSolver({ kind: "ee", etaMax: 0.1 }, q, "mse", 3).description.includes("k=3"));
  // EE with k = 2 computes 3 eigenpairs in blocks of 3: Lanczos needs a basis of at least 9.
  assertThrows(
    () => createSolver({ kind: "ee", etaMax: 0.1, k: 2, eigenMaxBasis: 8 }, q, "mse", 3),
    Error,
    "solver.eigenMaxBasis: must be an integer ≥ 9",
  );
  createSolver({ kind: "ee", etaMax: 0.1, k: 2, eigenMaxBasis: 9 }, q, "mse", 3);
  assertThrows(
    () => createSolver({ kind: "agd", etaMax: 0.1, eigenMaxBasis: 2.5 }, q, "mse", 3),
    Error,
    "solver.eigenMaxBasis: must be an integer ≥ 3",
  );
  for (const bad of [-0.1, 1.5, NaN]) {
    assertThrows(
      () => createSolver({ kind: "ee", etaMax: 0.1, eigenExtrapolation: bad }, q, "mse", 3),
      Error,
      `solver.eigenExtrapolation: must be a number in [0, 1], got ${bad}`,
    );
  }
  createSolver({ kind: "flow", dtMax: 0.1, eigenExtrapolation: 1 }, q, "mse", 3);
});
