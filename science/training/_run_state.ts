/**
 * The state of one training run and what the loop (science/training/train.ts) does with it: start
 * from θ₀ or from a checkpoint, check the point's health, measure when due, record the trajectory
 * row, take the solver's step, save checkpoints, and assemble the result. Everything a later
 * number depends on (θ, t, the RNG, every warm start, the rows and counts so far) is here and in
 * each checkpoint, so a resumed run continues bit for bit.
 *
 * @module
 */
import type { Objective, ObjectivePoint } from "../model/objective.ts";
import { Rng } from "../../util/rng.ts";
import { createSolver } from "../solvers/create.ts";
import { WarmEigenSolve } from "../solvers/eigen_settings.ts";
import type { Solver } from "../solvers/types.ts";
import { type CheckpointData, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { EigenSolveLog } from "../linalg/eigen_solve_log.ts";
import { type Divergence, divergenceCheck, TrainingDivergedError } from "./divergence.ts";
import type {
  MeasurementRow,
  StatefulMeasurement,
  StopReason,
  StopRule,
  TrainOptions,
  TrainResult,
  TrainSettings,
  TrajectoryRow,
} from "./train.ts";

type Saved = CheckpointData<TrajectoryRow, MeasurementRow>;
/** A measurement hook, stateful or not. */
type Hook = Pick<StatefulMeasurement, "measure"> & Partial<StatefulMeasurement>;
/** At most this many monotone-loss warnings are kept. */
const MAX_WARNINGS = 20;

/** One run in progress (see the module doc). */
export class RunState {
  theta: Float32Array;
  t: number;
  step: number;
  #previousLoss: number | null;
  readonly #trajectory: TrajectoryRow[];
  readonly #measurements: MeasurementRow[];
  readonly #warnings: string[];
  readonly #eigenSolves: EigenSolveLog;
  readonly #rng: Rng;
  readonly #solver: Solver;
  /** The sharpness λ¹(ℋ), warm-started from the last measurement's eigenvector. */
  readonly #sharpness: WarmEigenSolve;
  readonly #hooks: Hook[];
  readonly #check: ReturnType<typeof divergenceCheck>;
  readonly #started = performance.now();
  readonly #resumedFrom: number | null;
  /** θ at each full measurement, when the run takes snapshots. */
  readonly #snapshots: Float32Array[];

  private constructor(
    readonly o: TrainOptions,
    readonly settings: TrainSettings,
    readonly objective: Objective,
    readonly fingerprint: string,
    saved: Saved | null,
  ) {
    this.theta = saved?.theta ?? o.theta0;
    this.t = saved?.t ?? 0;
    this.step = saved?.step ?? 0;
    this.#previousLoss = saved?.previousLoss ?? null;
    this.#trajectory = saved?.trajectory ?? [];
    this.#measurements = saved?.measurements ?? [];
    this.#warnings = saved?.warnings ?? [];
    this.#eigenSolves = new EigenSolveLog(saved?.eigenSolves);
    this.#rng = saved ? Rng.fromState(saved.rngState) : new Rng(o.seed ?? 0);
    const classes = o.spec.sizes.at(-1)!;
    this.#solver = createSolver(o.solver, objective, o.loss, classes, this.#rng);
    this.#sharpness = new WarmEigenSolve({
      tolerance: o.sharpnessTolerance ?? 1e-4,
      maxIterations: 100,
      rng: this.#rng,
    });
    this.#hooks = (o.hooks ?? []).map((h) => typeof h === "function" ? { measure: h } : h);
    this.#check = divergenceCheck(settings.explosionFactor, this.#solver.description);
    this.#resumedFrom = saved?.step ?? null;
    this.#snapshots = saved?.snapshots ?? [];
    if (saved) this.#restoreVectors(saved.vectors);
  }

  /** A run from θ₀, or from the checkpoint at `o.checkpointPath` when it holds one of this run. */
  static async start(o: TrainOptions, settings: TrainSettings, objective: Objective) {
    const fingerprint = fingerprintOf(o);
    const saved = o.checkpointPath
      ? await readCheckpoint<TrajectoryRow, MeasurementRow>(
        o.checkpointPath,
        fingerprint,
      )
      : null;
    return new RunState(o, settings, objective, fingerprint, saved);
  }

  /**
   * On divergence throws (with a diagnosis), or returns it with `onDivergence: "stop"`; warns, or
   * throws, on a rise of the loss.
   */
  checkHealth(point: ObjectivePoint): Divergence | null {
    const divergence = this.#check(point, this.#trajectory[0]?.loss ?? point.loss, {
      step: this.step,
      t: this.t,
      previousLoss: this.#previousLoss,
      lastRow: this.#trajectory.at(-1),
      lastSharpness: this.#measurements.at(-1)?.sharpness,
    });
    if (divergence && this.o.onDivergence !== "stop") throw new TrainingDivergedError(divergence);
    if (divergence) return divergence;
    const { monotone, monotoneTolerance } = this.settings, previous = this.#previousLoss;
    if (previous === null || monotone === "off") return null;
    if (point.loss > previous * (1 + monotoneTolerance)) {
      const msg = `loss rose at step ${this.step} (t=${this.t}): ${previous} → ${point.loss} ` +
        `with ${this.#solver.description}; the step was unstable`;
      if (monotone === "fail") throw new Error(msg);
      if (this.#warnings.length < MAX_WARNINGS) this.#warnings.push(msg);
    }
    return null;
  }

  /**
   * A full measurement every `measureEvery` steps and at the final step (`final`), else a
   * sharpness-only one every `sharpnessEvery` steps.
   */
  async measureIfDue(point: ObjectivePoint, final: boolean): Promise<void> {
    const { measureEvery, sharpnessEvery } = this.settings, step = this.step;
    const full = final || (measureEvery > 0 ? step % measureEvery === 0 : step === 0);
    if (full) await this.#measure(point, true);
    else if (sharpnessEvery > 0 && step % sharpnessEvery === 0) await this.#measure(point, false);
  }

  async #measure(point: ObjectivePoint, full: boolean): Promise<void> {
    const top = this.#sharpness.at(point, { k: 1 });
    this.#eigenSolves.record("sharpness", top);
    const { step, t, objective } = this;
    const row: MeasurementRow = {
      step,
      t,
      loss: point.loss,
      accuracy: point.accuracy,
      sharpness: top.values[0],
      sharpnessResidual: top.residuals[0],
    };
    if (this.o.snapshots) {
      row.snapshot = full ? this.#snapshots.length : -1;
      if (full) this.#snapshots.push(this.theta.slice());
    }
    for (const hook of full ? this.#hooks : []) {
      const ctx = { step, t, point, objective, eigenSolves: this.#eigenSolves };
      Object.assign(row, await hook.measure(ctx));
    }
    this.#measurements.push(row);
  }

  /** The trajectory row of the current θ (its step's dt and products are filled in by advance). */
  recordRow(point: ObjectivePoint): void {
    this.#trajectory.push({
      step: this.step,
      t: this.t,
      loss: point.loss,
      accuracy: point.accuracy,
      dt: 0,
      applications: 0,
      solverEigenvalue: 0,
    });
    // The final row is reported by result(): progress here covers every other step.
  }

  /** The solver's step from `point`; reports progress every `progressEvery` steps. */
  advance(point: ObjectivePoint): void {
    const { theta, report } = this.#solver.step(point, this.t, this.step);
    const row = this.#trajectory.at(-1)!;
    row.dt = report.dt;
    row.applications = report.operatorApplications;
    row.solverEigenvalue = report.eigenvalues[0] ?? 0;
    if (report.eigenSolve) this.#eigenSolves.record(this.o.solver.kind, report.eigenSolve);
    this.#previousLoss = point.loss;
    this.theta = theta;
    this.t = report.t;
    this.step++;
    if (this.step % this.settings.progressEvery === 0) this.#progress(point);
  }

  #progress(point: ObjectivePoint): void {
    this.o.onProgress?.({
      step: this.step,
      t: this.t,
      loss: point.loss,
      accuracy: point.accuracy,
      elapsedMs: performance.now() - this.#started,
      fraction: stopFraction(
        this.o.stop,
        this.step,
        this.t,
        point.loss,
        this.#trajectory[0]?.loss ?? point.loss,
      ),
    });
  }

  /**
   * A checkpoint every `checkpointEvery` steps, of the state at the top of the loop: the next
   * iteration re-evaluates θ exactly as a resumed run would, so this step's row is not yet in it.
   */
  async checkpointIfDue(): Promise<void> {
    const path = this.o.checkpointPath;
    if (!path || this.step % this.settings.checkpointEvery !== 0) return;
    await writeCheckpoint(path, {
      fingerprint: this.fingerprint,
      step: this.step,
      t: this.t,
      theta: this.theta,
      vectors: this.#vectors(),
      rngState: this.#rng.state(),
      previousLoss: this.#previousLoss,
      trajectory: this.#trajectory,
      measurements: this.#measurements,
      warnings: this.#warnings,
      eigenSolves: this.#eigenSolves.byKind(),
      snapshots: this.#snapshots,
    });
  }

  /** Every warm start by name: the solver's two bases, the sharpness's, each hook's sets. */
  #vectors(): Record<string, Float64Array[]> {
    const solver = this.#solver.state();
    const vectors: Record<string, Float64Array[]> = {
      solver: solver.vectors,
      "solver.previous": solver.previousVectors,
      sharpness: this.#sharpness.state().vectors,
    };
    this.#hooks.forEach((h, i) => {
      for (const [name, set] of Object.entries(h.state?.() ?? {})) {
        vectors[`hook${i}.${name}`] = set;
      }
    });
    return vectors;
  }

  #restoreVectors(vectors: Record<string, Float64Array[]>): void {
    this.#solver.restore({ vectors: vectors.solver, previousVectors: vectors["solver.previous"] });
    this.#sharpness.restore({ vectors: vectors.sharpness, previousVectors: [] });
    this.#hooks.forEach((h, i) => {
      const prefix = `hook${i}.`;
      h.restore?.(Object.fromEntries(
        Object.entries(vectors).filter(([name]) => name.startsWith(prefix))
          .map(([name, set]) => [name.slice(prefix.length), set]),
      ));
    });
  }

  /**
   * The run's result at its final point; after a divergence (a result, not an error), the diverged
   * point has no row and the loss reported is the last finite row's.
   */
  result(point: ObjectivePoint, reason: StopReason, divergence?: Divergence): TrainResult {
    this.#progress(point);
    const trajectory = this.#trajectory;
    const last = divergence ? trajectory.at(-1) : undefined;
    return {
      theta: this.theta,
      trajectory,
      measurements: this.#measurements,
      stopReason: reason,
      steps: this.step,
      t: this.t,
      loss: last?.loss ?? point.loss,
      accuracy: last?.accuracy ?? point.accuracy,
      warnings: this.#warnings,
      lossIncreases: trajectory.filter((r, i) => i > 0 && r.loss > trajectory[i - 1].loss).length,
      solver: this.#solver.description,
      resumedFrom: this.#resumedFrom,
      eigenSolves: this.#eigenSolves.total(),
      eigenSolvesByKind: this.#eigenSolves.byKind(),
      snapshots: this.#snapshots,
      ...(divergence ? { divergence } : {}),
    };
  }
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
    sharpnessEvery: o.sharpnessEvery,
    snapshots: o.snapshots,
    seed: o.seed,
    hash: h,
  });
}

/**
 * How far the nearest stopping rule is, in [0, 1]: the largest of the steps' and the time's share
 * of their caps and, with `lossBelow`, the share of the way from the initial loss L₀ down to it
 * on a log scale, ln(L₀/L) / ln(L₀/ε). Most runs stop at their loss, long before their step cap,
 * so without the last the progress line would say 5 % of a run that is nearly done.
 */
export function stopFraction(
  stop: StopRule,
  step: number,
  t: number,
  loss: number,
  initialLoss: number,
): number {
  const { maxSteps = Infinity, maxTime = Infinity, lossBelow } = stop;
  let fraction = Math.max(step / maxSteps, t / maxTime);
  if (lossBelow !== undefined && lossBelow > 0 && initialLoss > lossBelow && loss > 0) {
    fraction = Math.max(fraction, Math.log(initialLoss / loss) / Math.log(initialLoss / lossBelow));
  }
  return Math.min(1, Math.max(0, fraction));
}
