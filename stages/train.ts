/**
 * Stage `train`: one training run (SCIENCE.md §3) from a seeded init on one dataset, with the
 * measurements of SCIENCE.md §2 and §4 along the way. GD runs take their step size from a reference EE
 * run's peak sharpness (2/η = f · peak), so that 2/η lies below the flow's sharpness by design.
 *
 * @module
 */
import {
  boolean,
  defineStage,
  integer,
  list,
  number,
  oneOf,
  string,
  upstream,
} from "../pipeline/mod.ts";
import { BACKEND_NAMES } from "../science/model/backend.ts";
import { LOSS_KINDS } from "../science/model/loss.ts";
import { ACTIVATIONS } from "../science/model/layout.ts";
import { DATASET_NAMES } from "../science/datasets/dataset.ts";
import { SOLVER_KINDS } from "../science/solvers/create.ts";
import { trainingRun, type TrainingRunSummary } from "../science/training/training_run.ts";

/** One training run; its id is (config, run, n, seed). */
export const trainStage = defineStage({
  name: "train",
  module: import.meta.url,
  params: {
    config: string(),
    run: string(),
    /** Which part of the reproduction the run belongs to (not in the id; later stages select by it). */
    kind: oneOf(["showcase", "sweep"]),
    n: integer({ min: 2 }),
    seed: integer({ min: 0 }),
    dataset: oneOf(DATASET_NAMES),
    /** The dataset's labels kept, in order (relabelled 0 … C − 1; synthetic data: [0, …, C − 1]). */
    classes: list(integer({ min: 0, max: 9 })),
    pool: integer({ min: 1 }),
    standardise: boolean(),
    hidden: list(integer({ min: 1 })),
    activation: oneOf(ACTIVATIONS),
    loss: oneOf(LOSS_KINDS),
    initSeed: integer({ min: 0 }),
    solver: oneOf(SOLVER_KINDS),
    /** η_max for ee/agd, dt_max for flow; unused by gd. */
    step: number({ min: 0 }),
    /** gd only: 2/η = f · (the reference EE run's peak sharpness). */
    gdSharpnessFraction: number({ min: 0, max: 1, default: 0 }),
    lossBelow: number({ min: 0 }),
    maxSteps: integer({ min: 1 }),
    maxTime: number({ min: 0 }),
    measureEvery: integer({ min: 1 }),
    /** Steps between sharpness-only measurements (λ¹(ℋ) alone) between the full ones; 0 = none. */
    sharpnessEvery: integer({ min: 0, default: 0 }),
    /**
     * θ snapshots at every full measurement (`theta_snapshots.npy`) when they take at most this
     * many MiB; 0 = never.
     */
    snapshotLimitMB: number({ min: 0, default: 64 }),
    /** What to measure besides λ¹(ℋ): `full` adds the Gauss–Newton split and the alignment. */
    measure: oneOf(["full", "alignment", "sharpness"]),
    backend: oneOf(BACKEND_NAMES),
  },
  inputs: (p) => ({
    data: upstream("data", {
      dataset: p.dataset,
      n: p.n,
      classes: p.classes,
      seed: p.seed,
      pool: p.pool,
      standardise: p.standardise,
    }),
    ...(p.solver === "gd"
      ? { reference: upstream("train", { config: p.config, run: "ee", n: p.n, seed: p.seed }) }
      : {}),
  }),
  outputs: [
    "trajectory.csv",
    "measurements.csv",
    "theta.npy",
    "theta_snapshots.npy",
    "summary.json",
  ],
  // On a cluster: TensorFlow.js on one core and the eigen-solver's helper thread on another;
  // 4G holds the quick profile's networks and data with room; 12 h bounds a hung run.
  resources: { cores: 2, memory: "4G", timeLimit: "12:00:00" },
  run: async (ctx) => {
    const p = ctx.params;
    const reference = p.solver === "gd"
      ? JSON.parse(
        await Deno.readTextFile(`${ctx.input("reference")}/summary.json`),
      ) as TrainingRunSummary
      : null;
    const { summary, ...facts } = await trainingRun({
      ...p,
      dataDir: ctx.input("data"),
      reference,
      checkpointDir: ctx.workDir,
      outputs: {
        trajectory: ctx.output("trajectory.csv"),
        measurements: ctx.output("measurements.csv"),
        theta: ctx.output("theta.npy"),
        thetaSnapshots: ctx.output("theta_snapshots.npy"),
        summary: ctx.output("summary.json"),
      },
      onProgress: (fraction, note) => ctx.progress(Math.round(fraction * 1000), 1000, note),
      log: (line) => ctx.log(line),
    });
    // Facts of this execution go to the manifest, not into the hashed summary, so that a rerun
    // (or a resumed run) with the same numbers writes the same bytes.
    ctx.record({
      seed: p.seed,
      initSeed: p.initSeed,
      backend: summary.backend,
      solver: summary.solver,
      stopReason: summary.stopReason,
      resumedFrom: facts.resumedFrom,
      wallSeconds: facts.wallSeconds,
      workers: facts.workers,
      eigenSolves: facts.eigenSolvesByKind,
    });
  },
});
