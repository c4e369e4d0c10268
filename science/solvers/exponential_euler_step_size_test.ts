/**
 * EE's step dt = min(η_max, 1/|λ_{k+1}|) on a real network, against a float64 reference: the
 * `quick` profile's Fashion-MNIST MSE sweep run at N = 256, seed 2, whose second step once took
 * dt = 0.05 from a Ritz value θ₃ = 11.41 with residual 7.35 while λ₃ = 21.43 (dt 7.2 % too long).
 */
import { assertEquals, assertLess } from "@std/assert";
import { selectBackend } from "../model/backend.ts";
import { prepareDataset } from "../datasets/dataset.ts";
import { initTheta } from "../model/mlp.ts";
import { Rng } from "../../util/rng.ts";
import { train } from "../training/train.ts";
import { hessianVectorProduct64, type Problem64 } from "../testing/float64_mlp.ts";
import { referenceEigenvalues } from "../testing/reference_eigen.ts";
import { DEFAULT_EIGEN_SETTINGS } from "./eigen_settings.ts";

await selectBackend("wasm");

const ETA_MAX = 0.05, K = 2, SEED = 2, N = 256;

Deno.test("EE's dt on the quick profile's Fashion-MNIST MSE run agrees with a float64 reference", async () => {
  const data = await prepareDataset({
    dataset: "fashion-mnist",
    n: N,
    classes: 2,
    seed: SEED,
    pool: 4,
  });
  const spec = { sizes: [data.dim, 64, 64, 64, 2], activation: "elu" as const };
  // The sweep's train call: EE with k = C = 2, measured at the start (and end) only.
  const run = (maxSteps: number) =>
    train({
      spec,
      loss: "mse",
      x: data.inputs,
      y: data.labels,
      solver: { kind: "ee", etaMax: ETA_MAX },
      theta0: initTheta(spec, new Rng(SEED)),
      stop: { maxSteps },
      measureEvery: 4000,
      seed: SEED,
    });
  const [one, two] = [await run(1), await run(2)];
  const y = new Float64Array(N * 2);
  data.labels.forEach((c, i) => (y[2 * i + c] = 1));
  const problem: Problem64 = {
    ...spec,
    loss: "mse",
    x: Float64Array.from(data.inputs),
    y,
    n: N,
  };
  const points = [initTheta(spec, new Rng(SEED)), one.theta];
  // dt is never shorter than the exact one (Ritz magnitudes interlace below the eigenvalues')
  // and at most `tolerance` longer; the float32 products move λ₃ by ~1e-6·λ₁ ≈ 1e-5·λ₃.
  const tolerance = DEFAULT_EIGEN_SETTINGS.tolerance, float32 = 1e-4;
  const steps = points.map((theta, step) => {
    const ref = referenceEigenvalues(
      (v) => hessianVectorProduct64(problem, theta, v),
      theta.length,
      80,
    );
    // The reference's own top K + 1 pairs are converged far below the tolerance tested.
    ref.residuals.slice(0, K + 1).forEach((r) => assertLess(r, 1e-6 * Math.abs(ref.values[0])));
    const reference = Math.min(ETA_MAX, 1 / Math.abs(ref.values[K]));
    const dt = two.trajectory[step].dt;
    return { step, dt, reference, lambda: ref.values[K], excess: dt / reference - 1 };
  });
  const wrong = steps.filter((s) => !(s.excess >= -float32 && s.excess <= tolerance + float32));
  assertEquals(
    wrong.map((s) =>
      `step ${s.step}: dt = ${s.dt}, reference ${s.reference} (λ₃ = ${s.lambda}), off by ` +
      `${(100 * s.excess).toFixed(3)} %`
    ),
    [],
  );
});
