import { assert, assertAlmostEquals, assertEquals, assertLess, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { selectBackend } from "../model/backend.ts";
import { Rng } from "../../util/rng.ts";
import { initTheta } from "../model/mlp.ts";
import { train, TrainingDivergedError, type TrainOptions } from "./train.ts";
import { stopFraction } from "./_run_state.ts";
import { hessian64, labelledProblem } from "../testing/float64_mlp.ts";
import { symmetricEigen } from "../linalg/dense_eigen.ts";

await selectBackend("wasm");

/** XOR in the unit square: label 1 when exactly one coordinate exceeds ½. */
function xor(n: number, rng: Rng) {
  const x = Float32Array.from({ length: 2 * n }, () => rng.uniform());
  const y = Int32Array.from(
    { length: n },
    (_, i) => Number((x[2 * i] > 0.5) !== (x[2 * i + 1] > 0.5)),
  );
  return { x, y };
}

function smallRun(overrides: Partial<TrainOptions> = {}): TrainOptions {
  const rng = new Rng(7);
  const spec = { sizes: [2, 12, 12, 2], activation: "elu" as const };
  return {
    spec,
    loss: "mse",
    ...xor(32, rng),
    solver: { kind: "ee", etaMax: 0.05 },
    theta0: initTheta(spec, rng),
    stop: { maxSteps: 30 },
    measureEvery: 5,
    ...overrides,
  };
}

Deno.test("train: stopping rules, rows of numbers, and the sharpness vs a float64 Hessian", async () => {
  const o = smallRun();
  const r = await train(o);
  assertEquals(r.stopReason, "maxSteps");
  assertEquals(r.steps, 30);
  assertEquals(r.trajectory.length, 31);
  assertEquals(r.measurements.map((m) => m.step), [0, 5, 10, 15, 20, 25, 30]);
  for (const row of [...r.trajectory, ...r.measurements]) {
    for (const v of Object.values(row)) assert(typeof v === "number" && Number.isFinite(v));
  }
  assertEquals(r.warnings, []);
  assertEquals(r.lossIncreases, 0);
  assertLess(r.loss, r.trajectory[0].loss);
  // The built-in sharpness at step 0 is λ¹ of the float64 Hessian at θ₀.
  const problem = labelledProblem(o.spec.sizes, "elu", "mse", o.x, o.y as Int32Array);
  const dense = symmetricEigen(hessian64(problem, o.theta0), o.theta0.length);
  assertLess(Math.abs(r.measurements[0].sharpness - dense.values[0]) / dense.values[0], 1e-4);
  const byTime = await train(smallRun({ stop: { maxTime: 0.5 } }));
  assertEquals(byTime.stopReason, "maxTime");
  assert(byTime.t >= 0.5 && byTime.t - byTime.trajectory.at(-2)!.dt < 0.5);
  const byLoss = await train(
    smallRun({ stop: { lossBelow: r.trajectory[10].loss, maxSteps: 100 } }),
  );
  assertEquals(byLoss.stopReason, "lossBelow");
});

Deno.test("train: measurement hooks add columns to the measurement rows", async () => {
  const r = await train(smallRun({
    stop: { maxSteps: 4 },
    measureEvery: 2,
    hooks: [
      ({ step, point }) => ({ twiceStep: 2 * step, gradientNorm: Math.hypot(...point.gradient) }),
    ],
  }));
  assertEquals(r.measurements.map((m) => m.twiceStep), [0, 4, 8]);
  assert(r.measurements.every((m) => m.gradientNorm > 0));
});

Deno.test("train: a killed run resumes from its checkpoint to the bitwise same result", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const reference = await train(smallRun({ stop: { maxSteps: 25 } }));
    const path = join(dir, "ckpt");
    // "Kill" the run at step 17: the last checkpoint is at step 15.
    await assertRejects(
      () =>
        train(smallRun({
          stop: { maxSteps: 25 },
          checkpointPath: path,
          checkpointEvery: 5,
          progressEvery: 1,
          onProgress: (p) => {
            if (p.step === 17) throw new Error("killed");
          },
        })),
      Error,
      "killed",
    );
    const resumed = await train(
      smallRun({ stop: { maxSteps: 25 }, checkpointPath: path, checkpointEvery: 5 }),
    );
    assertEquals(resumed.resumedFrom, 15);
    assertEquals(resumed.theta, reference.theta);
    assertEquals(resumed.trajectory, reference.trajectory);
    assertEquals(resumed.measurements, reference.measurements);
    // A different run refuses the checkpoint instead of silently mixing runs.
    await assertRejects(
      () => train(smallRun({ solver: { kind: "gd", eta: 0.1 }, checkpointPath: path })),
      Error,
      "different run configuration",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: divergence and rising loss are diagnosed clearly", async () => {
  const err = await assertRejects(
    () => train(smallRun({ solver: { kind: "gd", eta: 50 }, measureEvery: 1, monotone: "off" })),
    TrainingDivergedError,
  );
  assert(err.message.includes("training diverged at step"), err.message);
  assert(err.message.includes("2/λ¹"), err.message);
  // A loss 1000× above L(θ₀) is divergence from the first step on (L(θ₀) is the first row's).
  const exploded = await assertRejects(
    () => train(smallRun({ solver: { kind: "gd", eta: 3 }, monotone: "off" })),
    TrainingDivergedError,
  );
  assert(exploded.message.includes("the loss exploded to"), exploded.message);
  assertEquals(exploded.divergence.step, 1);
  // As a result instead: the rows before the diverged step, all finite, and the same diagnosis.
  const stopped = await train(
    smallRun({
      solver: { kind: "gd", eta: 50 },
      measureEvery: 1,
      monotone: "off",
      onDivergence: "stop",
    }),
  );
  assertEquals(stopped.stopReason, "diverged");
  assertEquals(stopped.divergence?.diagnosis, err.message);
  assertEquals(stopped.trajectory.length, stopped.divergence!.step);
  assertEquals(stopped.steps, stopped.divergence!.step);
  assert(stopped.trajectory.every((r) => Number.isFinite(r.loss)));
  assertEquals(stopped.loss, stopped.trajectory.at(-1)!.loss);
  await assertRejects(
    () =>
      train(smallRun({ solver: { kind: "gd", eta: 3 }, monotone: "fail", explosionFactor: 1e30 })),
    Error,
    "loss rose at step",
  );
  await assertRejects(
    () => train(smallRun({ stop: { lossBelow: 0.1 } })),
    Error,
    "maxSteps, maxTime",
  );
  await assertRejects(
    () =>
      train(smallRun({ stop: { maxSteps: 3, maxEpochs: 2 } as unknown as { maxSteps: number } })),
    Error,
    "stop.maxEpochs: unknown rule",
  );
});

Deno.test("train: GD past 2/λ¹ warns about each rise of the loss and counts them", async () => {
  const probe = await train(smallRun({ stop: { maxSteps: 0 } }));
  const eta = 3 / probe.measurements[0].sharpness; // |1 − ηλ¹| = 2: the top mode doubles per step
  const r = await train(smallRun({
    solver: { kind: "gd", eta },
    stop: { maxSteps: 25 },
    explosionFactor: 1e30,
  }));
  assert(r.lossIncreases >= 1);
  assertEquals(r.warnings.length, Math.min(r.lossIncreases, 20));
  assert(r.trajectory[1].loss > r.trajectory[0].loss); // the first GD step overshoots
  assert(r.warnings[0].startsWith("loss rose at step 1 "), r.warnings[0]);
});

Deno.test("train: every eigen-solve is counted per kind, unconverged ones too", async () => {
  // Default settings: every solve converges, so each pair's ‖r‖ is within its tolerance of
  // max|θ| (1e-3 for EE's steps, 1e-4 for the sharpness).
  const r = await train(smallRun({ stop: { maxSteps: 6 }, measureEvery: 2 }));
  assertEquals(r.eigenSolvesByKind.ee.count, 6);
  assertEquals(r.eigenSolvesByKind.sharpness.count, 4);
  assertEquals(r.eigenSolves.count, 10);
  assertEquals(r.eigenSolves.unconverged, 0);
  assertLess(r.eigenSolvesByKind.ee.worstRelativeResidual, 1e-3 * (1 + 1e-9));
  assertLess(r.eigenSolvesByKind.sharpness.worstRelativeResidual, 1e-4 * (1 + 1e-9));
  // One block iteration per step cannot converge from a cold start: those solves are counted.
  const capped = await train(smallRun({
    solver: { kind: "ee", etaMax: 0.05, eigenMaxIterations: 1 },
    stop: { maxSteps: 6 },
    measureEvery: 2,
  }));
  const ee = capped.eigenSolvesByKind.ee;
  assertEquals(ee.count, 6);
  assert(ee.unconverged >= 1 && ee.worstRelativeResidual > 1e-3, JSON.stringify(ee));
  assertEquals(capped.eigenSolves.unconverged, ee.unconverged);
});

Deno.test("train: sharpness-only rows between full measurements, λ¹ vs a float64 Hessian", async () => {
  const hooks = [({ step }: { step: number }) => ({ twiceStep: 2 * step })];
  const r = await train(
    smallRun({ stop: { maxSteps: 12 }, measureEvery: 6, sharpnessEvery: 2, hooks }),
  );
  assertEquals(r.measurements.map((m) => m.step), [0, 2, 4, 6, 8, 10, 12]);
  // Full rows carry the hooks' columns; sharpness-only rows do not.
  assertEquals(r.measurements.map((m) => "twiceStep" in m), [
    true,
    false,
    false,
    true,
    false,
    false,
    true,
  ]);
  assertEquals(r.eigenSolvesByKind.sharpness.count, 7);
  // The solver's steps do not depend on what is measured: the same θ and trajectory as without.
  const plain = await train(smallRun({ stop: { maxSteps: 12 }, measureEvery: 6 }));
  assertEquals(r.theta, plain.theta);
  assertEquals(r.trajectory, plain.trajectory);
  // The sharpness-only row at step 4 is λ¹ of the float64 Hessian at θ₄.
  const atFour = await train(smallRun({ stop: { maxSteps: 4 }, measureEvery: 6 }));
  const o = smallRun();
  const problem = labelledProblem(o.spec.sizes, "elu", "mse", o.x, o.y as Int32Array);
  const top = symmetricEigen(hessian64(problem, atFour.theta), atFour.theta.length).values[0];
  const row = r.measurements.find((m) => m.step === 4)!;
  assertLess(Math.abs(row.sharpness - top) / top, 1e-4);
  await assertRejects(
    () => train(smallRun({ sharpnessEvery: -1 })),
    Error,
    "sharpnessEvery: must be an integer ≥ 0",
  );
  await assertRejects(
    () => train(smallRun({ measureEvery: 1.5 })),
    Error,
    "measureEvery: must be an integer ≥ 0",
  );
  await assertRejects(
    () => train(smallRun({ checkpointEvery: 0 })),
    Error,
    "checkpointEvery: must be an integer ≥ 1",
  );
});

Deno.test("progress toward lossBelow is the share of ln(L₀/ε) covered, and the nearest rule wins", () => {
  // L₀ = 1, ε = 0.01: L = 0.1 is half the way on a log scale.
  assertAlmostEquals(
    stopFraction({ lossBelow: 0.01, maxSteps: 1000 }, 10, 0.1, 0.1, 1),
    0.5,
    1e-12,
  );
  // The step cap is nearer: 800 of 1000 steps.
  assertAlmostEquals(stopFraction({ lossBelow: 0.01, maxSteps: 1000 }, 800, 8, 0.1, 1), 0.8, 1e-12);
  // A loss above its start counts as no progress; without lossBelow only steps and time count.
  assertEquals(stopFraction({ lossBelow: 0.01 }, 5, 0.05, 2, 1), 0);
  assertEquals(stopFraction({ maxTime: 4 }, 5, 1, 0.001, 1), 0.25);
  assertEquals(stopFraction({ lossBelow: 0.01 }, 5, 0.05, 0.001, 1), 1);
});
