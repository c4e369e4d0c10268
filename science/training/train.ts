/**
 * The full-batch training loop: a solver stepping an MLP objective from θ₀ until a stopping rule
 * holds, recording one trajectory row per step and, every `measureEvery` steps, a measurement row
 * with the sharpness λ¹(ℋ) plus whatever the measurement hooks return. Periodic checkpoints make
 * a killed run resume to the same result as an uninterrupted one.
 *
 * @module
 */
import type { MlpSpec } from "../model/layout.ts";
import type { LossKind } from "../model/loss.ts";
import { Objective, type ObjectivePoint } from "../model/objective.ts";
import { checkThetaLength } from "../model/mlp.ts";
import { Rng } from "../../util/rng.ts";
import { createSolver, type SolverConfig } from "../solvers/create.ts";
import { WarmEigenSolve } from "../solvers/eigen_settings.ts";
import { readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { type EigenSolveCounts, EigenSolveLog } from "../linalg/eigen_solve_log.ts";
import { type Divergence, divergenceCheck, TrainingDivergedError } from "./divergence.ts";

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
export type StopReason = "lossBelow" | "maxSteps" | "maxTime";

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

/** One row per measurement: step, t, loss, accuracy, sharpness and the hooks' columns. */
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
  /** Best estimate in [0, 1] of how far the stopping rules are (max over steps and time). */
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
  /** Seed of the RNG that feeds the eigen-solvers' random start vectors; default 0. */
  seed?: number;
  /** Rows per chunk (memory only). */
  chunkSize?: number;
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
}

/** Identifies a run for resuming: everything but the stopping rule, which a resume may extend. */
function fingerprintOf(o: TrainOptions): string {
  let h = 0x811c9dc5; // FNV-1a over θ₀ and the data, enough to tell runs apart
  const mix = (a: ArrayLike<number>) => {
    const bytes = new Uint8Array(Float64Array.from(a).buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  mix(o.theta0);
  mix(o.x);
  mix(o.y);
  return JSON.stringify({
    spec: o.spec,
    loss: o.loss,
    solver: o.solver,
    measureEvery: o.measureEvery,
    seed: o.seed,
    hash: h,
  });
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

/** Trains from θ₀ (or from the checkpoint) until a stopping rule holds. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  validateStop(o.stop);
  checkThetaLength(o.spec, o.theta0);
  const measureEvery = o.measureEvery ?? 10, checkpointEvery = o.checkpointEvery ?? 100;
  const progressEvery = o.progressEvery ?? 10, monotone = o.monotone ?? "warn";
  const monotoneTolerance = o.monotoneTolerance ?? 1e-6;
  if (!["off", "warn", "fail"].includes(monotone)) {
    throw new Error(`monotone: "${monotone}" is not one of off, warn, fail`);
  }
  const objective = new Objective({
    spec: o.spec,
    loss: o.loss,
    x: o.x,
    y: o.y,
    chunkSize: o.chunkSize,
  });
  try {
    const fingerprint = fingerprintOf(o);
    const saved = o.checkpointPath
      ? await readCheckpoint<TrajectoryRow, MeasurementRow>(o.checkpointPath, fingerprint)
      : null;
    const rng = saved ? Rng.fromState(saved.rngState) : new Rng(o.seed ?? 0);
    const solver = createSolver(o.solver, objective, o.loss, o.spec.sizes.at(-1)!, rng);
    const hooks = (o.hooks ?? []).map((h) => typeof h === "function" ? { measure: h } : h);
    let theta = saved?.theta ?? o.theta0, t = saved?.t ?? 0, step = saved?.step ?? 0;
    let previousLoss = saved?.previousLoss ?? null;
    // The sharpness λ¹(ℋ), warm-started from the last measurement's eigenvector.
    const sharpness = new WarmEigenSolve({
      tolerance: o.sharpnessTolerance ?? 1e-4,
      maxIterations: 100,
      rng,
    });
    if (saved) sharpness.restore({ vectors: saved.vectors.sharpness, previousVectors: [] });
    const trajectory = saved?.trajectory ?? [], measurements = saved?.measurements ?? [];
    const warnings = saved?.warnings ?? [];
    const eigenSolves = new EigenSolveLog(saved?.eigenSolves);
    if (saved) {
      solver.restore({
        vectors: saved.vectors.solver,
        previousVectors: saved.vectors["solver.previous"],
      });
      hooks.forEach((h, i) => {
        if ("restore" in h) h.restore(hookState(saved.vectors, i));
      });
    }
    const initialLoss = trajectory[0]?.loss ?? null;
    const check = divergenceCheck(o.explosionFactor ?? 1000, solver.description);
    const started = performance.now();

    const measure = async (point: ObjectivePoint) => {
      const top = sharpness.at(point, { k: 1 });
      eigenSolves.record("sharpness", top);
      const row: MeasurementRow = {
        step,
        t,
        loss: point.loss,
        accuracy: point.accuracy,
        sharpness: top.values[0],
        sharpnessResidual: top.residuals[0],
      };
      for (const hook of hooks) {
        Object.assign(row, await hook.measure({ step, t, point, objective, eigenSolves }));
      }
      measurements.push(row);
    };

    while (true) {
      const point = objective.at(theta);
      try {
        const divergence: Divergence | null = check(point, initialLoss ?? point.loss, {
          step,
          t,
          previousLoss,
          lastRow: trajectory.at(-1),
          lastSharpness: measurements.at(-1)?.sharpness,
        });
        if (divergence) throw new TrainingDivergedError(divergence);
        if (previousLoss !== null && monotone !== "off") {
          if (point.loss > previousLoss * (1 + monotoneTolerance)) {
            const msg = `loss rose at step ${step} (t=${t}): ${previousLoss} → ${point.loss} ` +
              `with ${solver.description}; the step was unstable`;
            if (monotone === "fail") throw new Error(msg);
            if (warnings.length < 20) warnings.push(msg);
          }
        }
        const reason: StopReason | null = o.stop.lossBelow !== undefined &&
            point.loss <= o.stop.lossBelow
          ? "lossBelow"
          : o.stop.maxSteps !== undefined && step >= o.stop.maxSteps
          ? "maxSteps"
          : o.stop.maxTime !== undefined && t >= o.stop.maxTime
          ? "maxTime"
          : null;
        const due = measureEvery > 0 ? step % measureEvery === 0 : step === 0;
        if (due || (reason && measurements.at(-1)?.step !== step)) await measure(point);
        const row: TrajectoryRow = {
          step,
          t,
          loss: point.loss,
          accuracy: point.accuracy,
          dt: 0,
          applications: 0,
          solverEigenvalue: 0,
        };
        trajectory.push(row);
        const report = (s: number) =>
          o.onProgress?.({
            step: s,
            t,
            loss: point.loss,
            accuracy: point.accuracy,
            elapsedMs: performance.now() - started,
            fraction: Math.min(
              1,
              Math.max(s / (o.stop.maxSteps ?? Infinity), t / (o.stop.maxTime ?? Infinity)),
            ),
          });
        if (reason) {
          report(step);
          return {
            theta,
            trajectory,
            measurements,
            stopReason: reason,
            steps: step,
            t,
            loss: point.loss,
            accuracy: point.accuracy,
            warnings,
            lossIncreases: trajectory.filter((r, i) =>
              i > 0 && r.loss > trajectory[i - 1].loss
            ).length,
            solver: solver.description,
            resumedFrom: saved?.step ?? null,
            eigenSolves: eigenSolves.total(),
            eigenSolvesByKind: eigenSolves.byKind(),
          };
        }
        const { theta: next, report: r } = solver.step(point, t, step);
        row.dt = r.dt;
        row.applications = r.operatorApplications;
        row.solverEigenvalue = r.eigenvalues[0] ?? 0;
        if (r.eigenSolve) eigenSolves.record(o.solver.kind, r.eigenSolve);
        previousLoss = point.loss;
        theta = next;
        t = r.t;
        step++;
        if (step % progressEvery === 0) report(step);
      } finally {
        point.dispose();
      }
      if (o.checkpointPath && step % checkpointEvery === 0) {
        // The state at the top of the loop: the next iteration re-evaluates θ exactly as a
        // resumed run would, so the row for this step is not yet written.
        const solverState = solver.state();
        const vectors: Record<string, Float64Array[]> = {
          solver: solverState.vectors,
          "solver.previous": solverState.previousVectors,
          sharpness: sharpness.state().vectors,
        };
        hooks.forEach((h, i) => {
          if (!("state" in h)) return;
          for (const [name, set] of Object.entries(h.state())) vectors[`hook${i}.${name}`] = set;
        });
        await save(o.checkpointPath, fingerprint, {
          step,
          t,
          theta,
          vectors,
          rng,
          previousLoss,
          trajectory,
          measurements,
          warnings,
          eigenSolves,
        });
      }
    }
  } finally {
    objective.dispose();
  }
}

/** Hook i's own vector sets among a checkpoint's (saved as `hook<i>.<name>`). */
function hookState(vectors: Record<string, Float64Array[]>, i: number) {
  const prefix = `hook${i}.`;
  return Object.fromEntries(
    Object.entries(vectors).filter(([name]) => name.startsWith(prefix)).map((
      [name, set],
    ) => [name.slice(prefix.length), set]),
  );
}

async function save(
  path: string,
  fingerprint: string,
  s: {
    step: number;
    t: number;
    theta: Float32Array;
    vectors: Record<string, Float64Array[]>;
    rng: Rng;
    previousLoss: number | null;
    trajectory: TrajectoryRow[];
    measurements: MeasurementRow[];
    warnings: string[];
    eigenSolves: EigenSolveLog;
  },
): Promise<void> {
  await writeCheckpoint(path, {
    fingerprint,
    step: s.step,
    t: s.t,
    theta: s.theta,
    vectors: s.vectors,
    rngState: s.rng.state(),
    previousLoss: s.previousLoss,
    trajectory: s.trajectory,
    measurements: s.measurements,
    warnings: s.warnings,
    eigenSolves: s.eigenSolves.byKind(),
  });
}
