/**
 * The full-batch training loop: a solver stepping an MLP objective from θ₀ until a stopping rule
 * holds, recording one trajectory row per step and, every `measureEvery` steps, a full
 * measurement row with the sharpness λ¹(ℋ) plus whatever the measurement hooks return, and every
 * `sharpnessEvery` steps between them a sharpness-only row (the hooks' columns absent, NaN in the
 * table). With `snapshots`, θ is kept at every full measurement, and each row's `snapshot`
 * column gives the index of its θ among the snapshots (−1 on sharpness-only rows), so any
 * recorded number can be recomputed from θ later. Periodic checkpoints make a killed run resume to
 * the same result, bit for bit, as an uninterrupted one.
 *
 * The loop (`train`) reads like the algorithm; a run's state, with its measurements, its step and
 * its checkpoints, is science/training/_run_state.ts.
 *
 * @example Exponential Euler on XOR with a tiny net, 20 steps, measured every 5
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * import { selectBackend } from "../model/backend.ts";
 * import { initTheta } from "../model/mlp.ts";
 * import { xorData } from "../datasets/synthetic.ts";
 * import { Rng } from "../../util/rng.ts";
 * import { train } from "./train.ts";
 *
 * await selectBackend("cpu");
 * const { inputs: x, labels: y } = xorData(32, 0);
 * const spec = { sizes: [2, 8, 8, 2], activation: "elu" as const };
 * const result = await train({
 *   spec,
 *   loss: "mse",
 *   x,
 *   y,
 *   solver: { kind: "ee", etaMax: 0.05 },
 *   theta0: initTheta(spec, new Rng(0)),
 *   stop: { maxSteps: 20 },
 *   measureEvery: 5,
 * });
 * assertEquals(result.stopReason, "maxSteps");
 * assertEquals(result.measurements.map((m) => m.step), [0, 5, 10, 15, 20]);
 * assert(result.loss < result.trajectory[0].loss);
 * assert(result.measurements.every((m) => m.sharpness > 0));
 * ```
 *
 * @module
 */
import type { MlpSpec } from "../model/layout.ts";
import type { LossKind } from "../model/loss.ts";
import { Objective, type ObjectivePoint } from "../model/objective.ts";
import { checkThetaLength } from "../model/mlp.ts";
import type { SolverConfig } from "../solvers/create.ts";
import type { EigenSolveCounts, EigenSolveLog } from "../linalg/eigen_solve_log.ts";
import { type Divergence, TrainingDivergedError } from "./divergence.ts";
import { RunState } from "./_run_state.ts";

export { TrainingDivergedError };

/** When to stop; at least one of `maxSteps`, `maxTime` must be finite. */
export interface StopRule {
  /** Stop once L(θ) ≤ lossBelow. */
  lossBelow?: number;
  /** Stop after this many steps. */
  maxSteps?: number;
  /** Stop once the flow time t ≥ maxTime. */
  maxTime?: number;
}

/** Why training ended. */
export type StopReason = "lossBelow" | "maxSteps" | "maxTime" | "diverged";

/** What a measurement hook sees: the current θ evaluated (curvature products available). */
export interface MeasureContext {
  step: number;
  t: number;
  point: ObjectivePoint;
  objective: Objective;
  /** Where a hook records the eigen-solves it makes (science/linalg/eigen_solve_log.ts). */
  eigenSolves: EigenSolveLog;
}

/** A measurement: returns named numbers, merged into the measurement row. */
export type MeasurementFunction = (
  ctx: MeasureContext,
) => Record<string, number> | Promise<Record<string, number>>;

/**
 * A measurement whose results depend on what it carries from one call to the next (e.g. the
 * warm starts of its eigen-solves): its state goes into every checkpoint, so that a resumed run
 * measures the same numbers, bit for bit, as an uninterrupted one.
 */
export interface StatefulMeasurement {
  measure: MeasurementFunction;
  /** Everything the next call's result depends on, as named vector sets. */
  state(): Record<string, Float64Array[]>;
  restore(state: Record<string, Float64Array[]>): void;
}

/** A measurement hook: its columns are merged into the measurement row. */
export type MeasurementHook = MeasurementFunction | StatefulMeasurement;

/** One row per step; `dt` and `applications` describe the step taken *from* this row's θ. */
export interface TrajectoryRow {
  step: number;
  t: number;
  loss: number;
  accuracy: number;
  /** 0 on the final row (no step taken from it). */
  dt: number;
  /** Hessian-vector products the step used. */
  applications: number;
  /** Largest eigenvalue the solver used (by its own ordering), or 0 for GD. */
  solverEigenvalue: number;
}

/**
 * One row per measurement: step, t, loss, accuracy, sharpness and, in a full measurement, the
 * hooks' columns (a sharpness-only row lacks them).
 */
export interface MeasurementRow {
  step: number;
  t: number;
  loss: number;
  accuracy: number;
  /** λ¹(ℋ), largest algebraic eigenvalue. */
  sharpness: number;
  /** ‖ℋv − λ¹v‖ of the sharpness eigenpair. */
  sharpnessResidual: number;
  [column: string]: number;
}

/** Progress, reported every `progressEvery` steps and at the end. */
export interface Progress {
  step: number;
  t: number;
  loss: number;
  accuracy: number;
  elapsedMs: number;
  /** How far the nearest stopping rule is, in [0, 1]: steps, time, or the loss on a log scale. */
  fraction: number;
}

/** Everything {@linkcode train} takes. */
export interface TrainOptions {
  spec: MlpSpec;
  loss: LossKind;
  /** Inputs N × d₀ (row-major). */
  x: Float32Array;
  /** Labels or an N × C target matrix. */
  y: Int32Array | Float32Array;
  solver: SolverConfig;
  theta0: Float32Array;
  stop: StopRule;
  /** Measure every M steps (and at the final step); default 10; 0 = only at start and end. */
  measureEvery?: number;
  /**
   * Measure the sharpness alone every S steps between the full measurements (cheap: one warm
   * eigen-solve, no hooks); default 0 = never.
   */
  sharpnessEvery?: number;
  /** Keep θ at every full measurement (result `snapshots`, row column `snapshot`); default off. */
  snapshots?: boolean;
  hooks?: MeasurementHook[];
  /** Relative tolerance of the sharpness eigen-solve; default 1e-4. */
  sharpnessTolerance?: number;
  /** Checkpoint folder: resumed from when it holds a checkpoint of the same run. */
  checkpointPath?: string;
  /** Steps between checkpoints; default 100. */
  checkpointEvery?: number;
  onProgress?: (p: Progress) => void;
  /** Steps between progress reports; default 10. */
  progressEvery?: number;
  /** What a rising loss does: default `warn` (recorded in the result), `fail` throws, `off`. */
  monotone?: "off" | "warn" | "fail";
  /** A rise counts when L_{k+1} > L_k (1 + monotoneTolerance); default 1e-6. */
  monotoneTolerance?: number;
  /** Loss above explosionFactor × L(θ₀) is divergence; default 1000. */
  explosionFactor?: number;
  /**
   * What divergence does: `throw` (default) a TrainingDivergedError; `stop` ends the run as a
   * result, with stopReason `diverged`, the rows before it and the diagnosis in `divergence`.
   */
  onDivergence?: "throw" | "stop";
  /** Seed of the RNG that feeds the eigen-solvers' random start vectors; default 0. */
  seed?: number;
  /**
   * Worker threads evaluating the objective (science/model/engine.ts); default 0, the main
   * thread. Results are the same, bit for bit, for every count.
   */
  workers?: number;
}

/** What {@linkcode train} returns. */
export interface TrainResult {
  theta: Float32Array;
  trajectory: TrajectoryRow[];
  measurements: MeasurementRow[];
  stopReason: StopReason;
  steps: number;
  t: number;
  loss: number;
  accuracy: number;
  /** Monotone-loss warnings (empty when the loss never rose); the first 20 are kept. */
  warnings: string[];
  /** Steps after which the loss rose beyond the tolerance (GD at the edge of stability has many). */
  lossIncreases: number;
  /** The solver with its parameters, for manifests. */
  solver: string;
  /** The step a checkpoint resumed from, or null for a fresh run. */
  resumedFrom: number | null;
  /** The run's eigen-solves (the solver's and the measurements'), in all and per kind. */
  eigenSolves: EigenSolveCounts;
  eigenSolvesByKind: Record<string, EigenSolveCounts>;
  /**
   * θ at each full measurement, in measurement order (empty without `snapshots`): row i is the θ
   * of the measurement row whose `snapshot` column is i.
   */
  snapshots: Float32Array[];
  /** Where and why the run diverged (stopReason `diverged`), else absent. */
  divergence?: Divergence;
}

/** {@linkcode TrainOptions}' cadences and policies, validated, with the defaults filled in. */
export interface TrainSettings {
  measureEvery: number;
  sharpnessEvery: number;
  checkpointEvery: number;
  progressEvery: number;
  monotone: "off" | "warn" | "fail";
  monotoneTolerance: number;
  explosionFactor: number;
}

/** Trains from θ₀ (or from the checkpoint) until a stopping rule holds. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const settings = validateTrainOptions(o);
  const objective = new Objective({
    spec: o.spec,
    loss: o.loss,
    x: o.x,
    y: o.y,
    workers: o.workers,
  });
  try {
    const run = await RunState.start(o, settings, objective);
    while (true) {
      const point = objective.at(run.theta);
      try {
        const divergence = run.checkHealth(point);
        if (divergence) return run.result(point, "diverged", divergence);
        const reason = stopReason(o.stop, run.step, run.t, point.loss);
        await run.measureIfDue(point, reason !== null);
        run.recordRow(point);
        if (reason) return run.result(point, reason);
        run.advance(point);
      } finally {
        point.dispose();
      }
      await run.checkpointIfDue();
    }
  } finally {
    objective.dispose();
  }
}

/** Which stopping rule holds at (step, t, loss), if any; the loss rule first. */
export function stopReason(
  stop: StopRule,
  step: number,
  t: number,
  loss: number,
): StopReason | null {
  if (stop.lossBelow !== undefined && loss <= stop.lossBelow) return "lossBelow";
  if (stop.maxSteps !== undefined && step >= stop.maxSteps) return "maxSteps";
  if (stop.maxTime !== undefined && t >= stop.maxTime) return "maxTime";
  return null;
}

/** Checks every option before any work (errors name the field); returns the settings. */
function validateTrainOptions(o: TrainOptions): TrainSettings {
  validateStop(o.stop);
  checkThetaLength(o.spec, o.theta0);
  const count = (field: string, value: number | undefined, fallback: number, min: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`${field}: must be an integer ≥ ${min}, got ${value}`);
    }
    return v;
  };
  const monotone = o.monotone ?? "warn";
  if (!["off", "warn", "fail"].includes(monotone)) {
    throw new Error(`monotone: "${monotone}" is not one of off, warn, fail`);
  }
  const explosionFactor = o.explosionFactor ?? 1000;
  if (!(explosionFactor > 1)) {
    throw new Error(`explosionFactor: must be a number > 1, got ${o.explosionFactor}`);
  }
  return {
    measureEvery: count("measureEvery", o.measureEvery, 10, 0),
    sharpnessEvery: count("sharpnessEvery", o.sharpnessEvery, 0, 0),
    checkpointEvery: count("checkpointEvery", o.checkpointEvery, 100, 1),
    progressEvery: count("progressEvery", o.progressEvery, 10, 1),
    monotone,
    monotoneTolerance: o.monotoneTolerance ?? 1e-6,
    explosionFactor,
  };
}

function validateStop(stop: StopRule): void {
  const finite = (v: number | undefined) => v !== undefined && Number.isFinite(v);
  if (!finite(stop?.maxSteps) && !finite(stop?.maxTime)) {
    throw new Error("stop: give at least one of maxSteps, maxTime (a finite number)");
  }
  for (const [k, v] of Object.entries(stop)) {
    if (!["lossBelow", "maxSteps", "maxTime"].includes(k)) {
      throw new Error(`stop.${k}: unknown rule; allowed: lossBelow, maxSteps, maxTime`);
    }
    if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
      throw new Error(`stop.${k}: must be a number ≥ 0, got ${v}`);
    }
  }
}
