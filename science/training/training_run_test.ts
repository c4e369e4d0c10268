import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { parse } from "@std/csv";
import { decodeNpy, encodeNpy } from "../io/npy.ts";
import { Objective } from "../model/objective.ts";
import { hessian64, labelledProblem, loss64 } from "../testing/float64_mlp.ts";
import { symmetricEigen } from "../linalg/dense_eigen.ts";
import { readMeasurementTable } from "../io/measurement_table.ts";
import { trainingRun, type TrainingRunConfig } from "./training_run.ts";
import { Rng } from "../../util/rng.ts";
import { initTheta } from "../model/mlp.ts";

/** A tiny two-class problem written as a `data` stage would write it. */
async function writeData(dir: string): Promise<void> {
  const rng = new Rng(3), n = 24, d = 3;
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  await Deno.writeFile(`${dir}/inputs.npy`, encodeNpy({ data: x, shape: [n, d] }));
  await Deno.writeFile(`${dir}/labels.npy`, encodeNpy({ data: y, shape: [n] }));
}

function config(dir: string, overrides: Partial<TrainingRunConfig>): TrainingRunConfig {
  return {
    hidden: [6, 5],
    activation: "elu",
    loss: "mse",
    initSeed: 1,
    solver: "ee",
    step: 0.05,
    gdSharpnessFraction: 0,
    lossBelow: 0,
    maxSteps: 12,
    maxTime: 100,
    measureEvery: 4,
    measure: "full",
    backend: "wasm",
    dataDir: dir,
    reference: null,
    outputs: {
      trajectory: `${dir}/trajectory.csv`,
      measurements: `${dir}/measurements.csv`,
      theta: `${dir}/theta.npy`,
      summary: `${dir}/summary.json`,
    },
    ...overrides,
  };
}

Deno.test("trainingRun writes tables whose numbers the summary agrees with", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeData(dir);
    const { summary } = await trainingRun(config(dir, {}));
    const rows = (name: string) =>
      parse(Deno.readTextFileSync(`${dir}/${name}`), { skipFirstRow: true }) as Record<
        string,
        string
      >[];
    const trajectory = rows("trajectory.csv"), measurements = rows("measurements.csv");
    assertEquals(trajectory.length, 13); // steps 0..12
    assertEquals(measurements.map((m) => Number(m.step)), [0, 4, 8, 12]);
    const peak = Math.max(...measurements.map((m) => Number(m.sharpness)));
    assertAlmostEquals(summary.peakSharpness, peak, 1e-6 * peak);
    assertEquals(summary.stopReason, "maxSteps");
    assertAlmostEquals(summary.t, Number(trajectory.at(-1)!.t), 1e-9);
    assertAlmostEquals(summary.finalAlignment!, Number(measurements.at(-1)!.align_mean), 1e-6);
    for (const column of ["lambda_G", "lambda_H", "lambda_G_layer_1", "lambda_G_layer_3"]) {
      assert(column in measurements[0], column);
    }
    // 12 EE steps; at 4 measurements the sharpness and the split's G, H and 3 layer blocks.
    const written = JSON.parse(Deno.readTextFileSync(`${dir}/summary.json`));
    assertEquals(Object.keys(written.eigenSolves), [
      "count",
      "unconverged",
      "worstRelativeResidual",
    ]);
    assertEquals(written.eigenSolves.count, 12 + 4 * (1 + 2 + 3));
    assertEquals(written.eigenSolves.unconverged, 0);
    assert(written.eigenSolves.worstRelativeResidual <= 1e-3, JSON.stringify(written.eigenSolves));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a GD run takes 2/η = f · the reference's peak sharpness, over its time span", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeData(dir);
    const { summary } = await trainingRun(config(dir, {
      solver: "gd",
      gdSharpnessFraction: 0.5,
      measure: "sharpness",
      reference: { peakSharpness: 40, t: 1 },
    }));
    assertAlmostEquals(summary.eta!, 2 / (0.5 * 40), 1e-12);
    assertEquals(summary.stopReason, "maxTime");
    assert(summary.t >= 1 && summary.t < 1 + summary.eta!, `t = ${summary.t}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the RK4 flow reference steps at dt = min(dt_max, 1/(4|λ¹|)) of a float64 dense Hessian", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeData(dir);
    // dt_max far above 1/|λ¹|: every step is limited by the stiffness.
    await trainingRun(config(dir, { solver: "flow", step: 10, maxSteps: 5, measure: "sharpness" }));
    const trajectory = parse(Deno.readTextFileSync(`${dir}/trajectory.csv`), {
      skipFirstRow: true,
    }) as Record<string, string>[];
    const x = decodeNpy(await Deno.readFile(`${dir}/inputs.npy`));
    const labels = decodeNpy(await Deno.readFile(`${dir}/labels.npy`)).data as Int32Array;
    const sizes = [x.shape[1], 6, 5, 2], spec = { sizes, activation: "elu" as const };
    const problem = labelledProblem(sizes, "elu", "mse", x.data, labels);
    const theta0 = initTheta(spec, new Rng(1));
    const values = symmetricEigen(hessian64(problem, theta0), theta0.length).values;
    const top = Math.max(...values.map(Math.abs));
    assertAlmostEquals(Number(trajectory[0].dt), 1 / (4 * top), 1e-4 / top);
    for (const row of trajectory.slice(0, -1)) {
      assert(Number(row.dt) * Math.abs(Number(row.solverEigenvalue)) <= 0.25 * (1 + 1e-9));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every output file's bytes, by name. */
async function outputBytes(dir: string): Promise<Record<string, Uint8Array>> {
  const names = [
    "trajectory.csv",
    "measurements.csv",
    "theta.npy",
    "theta_snapshots.npy",
    "summary.json",
  ];
  return Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await Deno.readFile(`${dir}/${n}`)])),
  );
}

Deno.test("a run interrupted at several steps and resumed writes the same bytes as one that was not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeData(dir);
    // Full measurements (the Gauss–Newton split's warm-started solves) every 3 steps and a
    // checkpoint every 7: interruptions at steps 10, 20 and 30 resume from 7, 14 and 28, between
    // measurements and checkpoints.
    const run = (name: string, extra: Partial<TrainingRunConfig>) => {
      const out = `${dir}/${name}`;
      Deno.mkdirSync(out);
      return config(dir, {
        maxSteps: 36,
        measureEvery: 3,
        checkpointEvery: 7,
        snapshotLimitMB: 1,
        outputs: {
          trajectory: `${out}/trajectory.csv`,
          measurements: `${out}/measurements.csv`,
          theta: `${out}/theta.npy`,
          thetaSnapshots: `${out}/theta_snapshots.npy`,
          summary: `${out}/summary.json`,
        },
        ...extra,
      });
    };
    const whole = await trainingRun(run("whole", {}));
    assertEquals(whole.resumedFrom, null);
    const checkpointDir = `${dir}/checkpoint`, resumedFrom: (number | null)[] = [];
    for (const stopAt of [10, 20, 30, null]) {
      const c = run(`part-${stopAt}`, {
        checkpointDir,
        onProgress: (_, note) => {
          if (note.startsWith(`step ${stopAt} `)) throw new Error(`interrupted at ${stopAt}`);
        },
      });
      if (stopAt === null) resumedFrom.push((await trainingRun(c)).resumedFrom);
      else await assertRejects(() => trainingRun(c), Error, `interrupted at ${stopAt}`);
    }
    // The last attempt resumed from the checkpoint at 28 (the ones before from 7 and 14).
    assertEquals(resumedFrom, [28]);
    assertEquals(whole.summary.snapshots, 13); // steps 0, 3, …, 36
    assertEquals(await outputBytes(`${dir}/part-null`), await outputBytes(`${dir}/whole`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sharpness-only rows are written with empty cells for what they do not measure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeData(dir);
    const { summary } = await trainingRun(config(dir, { measureEvery: 6, sharpnessEvery: 2 }));
    const rows = await readMeasurementTable(`${dir}/measurements.csv`);
    assertEquals(rows.map((r) => r.step), [0, 2, 4, 6, 8, 10, 12]);
    const full = rows.map((r) => !Number.isNaN(r.lambda_G) && !Number.isNaN(r.align_mean));
    assertEquals(full, [true, false, false, true, false, false, true]);
    assert(rows.every((r) => r.sharpness > 0 && Number.isFinite(r.loss)));
    assertEquals(summary.peakSharpness, Math.max(...rows.map((r) => r.sharpness)));
    assertEquals(summary.finalAlignment, rows.at(-1)!.align_mean);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("θ snapshots read back as numpy reads them reproduce each measurement's loss and sharpness", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeData(dir);
    const snapshotsPath = `${dir}/theta_snapshots.npy`;
    const outputs = { ...config(dir, {}).outputs, thetaSnapshots: snapshotsPath };
    const c = config(dir, { measureEvery: 4, sharpnessEvery: 2, snapshotLimitMB: 1, outputs });
    const { summary } = await trainingRun(c);
    // From the artifacts alone: the data arrays, the tables, the snapshots.
    const x = decodeNpy(await Deno.readFile(`${dir}/inputs.npy`));
    const labels = decodeNpy(await Deno.readFile(`${dir}/labels.npy`)).data as Int32Array;
    const snapshots = decodeNpy(await Deno.readFile(snapshotsPath));
    const rows = await readMeasurementTable(`${dir}/measurements.csv`);
    const sizes = [x.shape[1], 6, 5, 2], P = snapshots.shape[1];
    assert(snapshots.data instanceof Float32Array);
    assertEquals(snapshots.shape, [4, 71]); // full measurements at steps 0, 4, 8, 12
    assertEquals(summary.snapshots, 4);
    // Full rows number the snapshots in order; sharpness-only rows say −1.
    assertEquals(rows.map((r) => r.snapshot), [0, -1, 1, -1, 2, -1, 3]);
    const problem = labelledProblem(sizes, "elu", "mse", x.data, labels);
    const objective = new Objective({
      spec: { sizes, activation: "elu" },
      loss: "mse",
      x: x.data as Float32Array,
      y: labels,
    });
    try {
      for (const row of rows.filter((r) => r.snapshot >= 0)) {
        const theta = snapshots.data.slice(
          row.snapshot * P,
          (row.snapshot + 1) * P,
        ) as Float32Array;
        // The objective at the snapshot gives the recorded loss exactly; a float64 reference (the
        // loss and the dense Hessian's λ¹) agrees to float32 rounding and the solver's tolerance.
        const point = objective.at(theta);
        assertEquals(point.loss, row.loss);
        point.dispose();
        assertAlmostEquals(loss64(problem, theta), row.loss, 1e-6 * row.loss);
        const top = symmetricEigen(hessian64(problem, theta), P).values[0];
        assertAlmostEquals(row.sharpness, top, 1e-4 * top);
      }
    } finally {
      objective.dispose();
    }
    // The last snapshot is the final θ.
    assertEquals(
      snapshots.data.slice(3 * P),
      decodeNpy(await Deno.readFile(`${dir}/theta.npy`)).data,
    );
    // Over the limit (here 0 MiB): an empty array, no snapshot column.
    const none = await trainingRun(config(dir, { outputs }));
    assertEquals(none.summary.snapshots, 0);
    assertEquals(decodeNpy(await Deno.readFile(snapshotsPath)).shape, [0, 71]);
    assert(!("snapshot" in (await readMeasurementTable(`${dir}/measurements.csv`))[0]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
