/**
 * One training run of the reproduction, end to end: read a prepared dataset, initialise the MLP
 * from its seed, train with the chosen solver and the measurement hooks, and write the run's
 * tables (trajectory, measurements), final parameters and summary. Stages call this; it knows
 * nothing of the pipeline.
 *
 * @example EE on a small XOR dataset written as the `data` stage writes it
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeNpy } from "../io/npy.ts";
 * import { xorData } from "../datasets/synthetic.ts";
 * import { trainingRun } from "./training_run.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const { inputs, labels } = xorData(32, 0);
 * await Deno.writeFile(`${dir}/inputs.npy`, encodeNpy({ data: inputs, shape: [32, 2] }));
 * await Deno.writeFile(`${dir}/labels.npy`, encodeNpy({ data: labels, shape: [32] }));
 * const { summary } = await trainingRun({
 *   hidden: [8, 8],
 *   activation: "elu",
 *   loss: "mse",
 *   initSeed: 0,
 *   solver: "ee",
 *   step: 0.05,
 *   gdSharpnessFraction: 0,
 *   lossBelow: 0,
 *   maxSteps: 10,
 *   maxTime: 100,
 *   measureEvery: 5,
 *   measure: "full",
 *   backend: "wasm",
 *   dataDir: dir,
 *   reference: null,
 *   outputs: {
 *     trajectory: `${dir}/trajectory.csv`,
 *     measurements: `${dir}/measurements.csv`,
 *     theta: `${dir}/theta.npy`,
 *     summary: `${dir}/summary.json`,
 *   },
 * });
 * assertEquals(summary.steps, 10);
 * assertEquals(summary.eigenSolves.unconverged, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { decodeNpy, encodeNpy } from "../io/npy.ts";
import { type BackendRequest, selectBackend } from "../model/backend.ts";
import { initTheta, saveThetaNpy } from "../model/mlp.ts";
import { Rng } from "../../util/rng.ts";
import { type MeasurementHook, train, type TrainResult } from "./train.ts";
import type { SolverConfig } from "../solvers/create.ts";
import type { LossKind } from "../model/loss.ts";
import { type Activation, type MlpSpec, parameterCount } from "../model/layout.ts";
import { summariseAlignment } from "../measure/alignment.ts";
import { resolveWorkers, workerCount } from "../model/engine.ts";
import { shardPlan } from "../model/shards.ts";
import { hessianSplitHook } from "../measure/hessian_split.ts";
import { measurementTableCsv, type TableRow } from "../io/measurement_table.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { type EigenSolveCounts, EigenSolveLog } from "../linalg/eigen_solve_log.ts";

/** What a run needs; the names match the `train` stage's parameters. */
export interface TrainingRunConfig {
  hidden: number[];
  activation: Activation;
  loss: LossKind;
  initSeed: number;
  solver: SolverConfig["kind"];
  /** η_max (ee, agd), dt_max (flow); unused by gd. */
  step: number;
  /** gd: 2/η = gdSharpnessFraction · reference.peakSharpness. */
  gdSharpnessFraction: number;
  lossBelow: number;
  maxSteps: number;
  maxTime: number;
  measureEvery: number;
  /** Steps between sharpness-only measurements (science/training/train.ts); default 0 = none. */
  sharpnessEvery?: number;
  /** Besides λ¹(ℋ): `full` = the Gauss–Newton split and the alignment; `alignment`; or nothing. */
  measure: "full" | "alignment" | "sharpness";
  backend: BackendRequest;
  /** A folder with the `data` stage's `inputs.npy` and `labels.npy`. */
  dataDir: string;
  /** gd: the summary of the EE run whose peak sharpness sets η and whose end time sets t_max. */
  reference: { peakSharpness: number; t: number } | null;
  /**
   * θ snapshots (`outputs.thetaSnapshots`) are taken when they fit in this many MiB at most
   * ({@linkcode snapshotBound}); default 0: none.
   */
  snapshotLimitMB?: number;
  /** Where checkpoints go, so that a killed run resumes. */
  checkpointDir?: string;
  /** Steps between checkpoints (default 100). */
  checkpointEvery?: number;
  outputs: {
    trajectory: string;
    measurements: string;
    theta: string;
    summary: string;
    /**
     * θ at every full measurement, float32, one row each (`snapshot` column of the
     * measurements); 0 rows when the snapshots would exceed `snapshotLimitMB`.
     */
    thetaSnapshots?: string;
  };
  /**
   * Worker threads evaluating the objective (science/model/engine.ts): an execution setting, not
   * a parameter, since results are the same, bit for bit, for every count. Default: `EOS_WORKERS`,
   * else this process's cores (`PIPELINE_CORES`); never more than those cores.
   */
  workers?: number;
  onProgress?: (fraction: number, note: string) => void;
  log?: (line: string) => void;
}

/**
 * The summary written as `summary.json`: numbers that a rerun of the same run reproduces bit for
 * bit, resumed or not (how long it took and whether it resumed are in {@linkcode
 * TrainingRunOutcome}, for the manifest), so that a rerun writes the same bytes.
 */
export interface TrainingRunSummary {
  solver: string;
  eta: number | null;
  stopReason: string;
  steps: number;
  t: number;
  loss: number;
  accuracy: number;
  peakSharpness: number;
  finalAlignment: number | null;
  warnings: string[];
  /** The run's eigen-solves: how many, how many unconverged, the worst ‖r‖ / max|θ|. */
  eigenSolves: EigenSolveCounts;
  /** Rows of `theta_snapshots.npy` (0 when snapshots were off or too large). */
  snapshots: number;
  /** GD only: the diagnosis when the run diverged (stopReason `diverged`), else null. */
  divergence: string | null;
  backend: string;
}

/** What {@linkcode trainingRun} returns: the summary and the facts of this execution. */
export interface TrainingRunOutcome {
  summary: TrainingRunSummary;
  /** The step a checkpoint resumed from, or null for a run from θ₀. */
  resumedFrom: number | null;
  wallSeconds: number;
  /** The worker threads that evaluated the objective (0: the main thread). */
  workers: number;
  /** The eigen-solve counts per kind (ee, sharpness, hessian split, …). */
  eigenSolvesByKind: Record<string, EigenSolveCounts>;
}

/** Runs the configured training and writes its outputs; returns the summary and run facts. */
export async function trainingRun(c: TrainingRunConfig): Promise<TrainingRunOutcome> {
  const backend = await selectBackend(c.backend);
  const { x, y, spec } = await readData(c);
  const { solver, stop, eta } = solverAndStop(c);
  const snapshots = c.outputs.thetaSnapshots !== undefined &&
    snapshotBound(spec, stop.maxSteps, c.measureEvery) <= (c.snapshotLimitMB ?? 0) * 2 ** 20;
  const workers = resolveWorkers(c.workers);
  // What the objective will run with (at most its shards; one for a GPU), for the log and manifest.
  const used = workerCount(
    workers,
    shardPlan(y.length, parameterCount(spec.sizes)).length,
    backend.name,
  );
  const started = performance.now();
  c.log?.(
    `${describe(solver)} on ${y.length} examples, MLP ${spec.sizes.join("-")} ${c.activation}` +
      (c.outputs.thetaSnapshots === undefined ? "" : `, θ snapshots ${snapshots ? "on" : "off"}`) +
      `, ${used} worker thread${used === 1 ? "" : "s"}`,
  );
  const result = await train({
    spec,
    loss: c.loss,
    x,
    y,
    solver,
    theta0: initTheta(spec, new Rng(c.initSeed)),
    stop,
    measureEvery: c.measureEvery,
    sharpnessEvery: c.sharpnessEvery,
    snapshots,
    hooks: measurementHooks(c.measure),
    workers,
    checkpointPath: c.checkpointDir,
    checkpointEvery: c.checkpointEvery,
    seed: c.initSeed,
    // GD with a fixed η may leave the edge of stability and diverge: that is a result to report,
    // not a crash. The other solvers are stable by design; their divergence is a failure.
    onDivergence: c.solver === "gd" ? "stop" : "throw",
    onProgress: (p) =>
      c.onProgress?.(
        p.fraction,
        `step ${p.step} t=${p.t.toFixed(2)} loss=${p.loss.toPrecision(4)}`,
      ),
  });
  if (result.resumedFrom !== null) {
    c.log?.(`resumed from the checkpoint at step ${result.resumedFrom}`);
  }
  for (const w of result.warnings) c.log?.(`warning: ${w}`);
  for (const w of new EigenSolveLog(result.eigenSolvesByKind).warnings()) {
    c.log?.(`warning: ${w}`);
  }
  if (result.divergence) c.log?.(`diverged: ${result.divergence.diagnosis}`);
  const summary = summaryOf(result, eta, backend.name);
  await writeOutputs(c.outputs, result, summary, spec);
  return {
    summary,
    resumedFrom: result.resumedFrom,
    wallSeconds: (performance.now() - started) / 1000,
    workers: used,
    eigenSolvesByKind: result.eigenSolvesByKind,
  };
}

/** The `data` stage's arrays and the network they call for. */
async function readData(c: TrainingRunConfig) {
  const inputs = decodeNpy(await Deno.readFile(`${c.dataDir}/inputs.npy`));
  const labels = decodeNpy(await Deno.readFile(`${c.dataDir}/labels.npy`));
  const x = inputs.data as Float32Array, y = labels.data as Int32Array;
  const classes = Math.max(...y) + 1;
  const spec: MlpSpec = {
    sizes: [inputs.shape[1], ...c.hidden, classes],
    activation: c.activation,
  };
  return { x, y, spec };
}

/** Besides λ¹(ℋ): the Gauss–Newton split and the alignment (`full`), the alignment, or nothing. */
function measurementHooks(measure: TrainingRunConfig["measure"]): MeasurementHook[] {
  // Through the objective: each shard measures its own examples where it is held.
  const alignment: MeasurementHook = ({ point, objective }) =>
    summariseAlignment(objective.alignment(point.theta));
  if (measure === "full") return [hessianSplitHook(), alignment];
  return measure === "alignment" ? [alignment] : [];
}

/**
 * The most bytes the run's θ snapshots can take: one float32 θ per full measurement, at steps
 * 0, M, 2M, … ≤ maxSteps and at the final step.
 */
export function snapshotBound(spec: MlpSpec, maxSteps: number, measureEvery: number): number {
  const rows = (measureEvery > 0 ? Math.floor(maxSteps / measureEvery) + 1 : 1) + 1;
  return rows * parameterCount(spec.sizes) * 4;
}

function summaryOf(result: TrainResult, eta: number | null, backend: string): TrainingRunSummary {
  return {
    solver: result.solver,
    eta,
    stopReason: result.stopReason,
    steps: result.steps,
    t: result.t,
    loss: result.loss,
    accuracy: result.accuracy,
    peakSharpness: Math.max(...result.measurements.map((m) => m.sharpness)),
    finalAlignment: result.measurements.at(-1)?.align_mean ?? null,
    warnings: result.warnings,
    eigenSolves: result.eigenSolves,
    snapshots: result.snapshots.length,
    divergence: result.divergence?.diagnosis ?? null,
    backend,
  };
}

/** The tables, the final θ, the θ snapshots (when asked for) and the summary. */
async function writeOutputs(
  outputs: TrainingRunConfig["outputs"],
  result: TrainResult,
  summary: TrainingRunSummary,
  spec: MlpSpec,
): Promise<void> {
  const encoder = new TextEncoder();
  const table = (rows: readonly Record<string, number>[]) =>
    encoder.encode(measurementTableCsv(rows));
  await writeFileAtomic(outputs.trajectory, table(result.trajectory as unknown as TableRow[]));
  await writeFileAtomic(outputs.measurements, table(result.measurements));
  await saveThetaNpy(outputs.theta, result.theta);
  if (outputs.thetaSnapshots !== undefined) {
    const P = parameterCount(spec.sizes), rows = result.snapshots;
    const data = new Float32Array(rows.length * P);
    rows.forEach((theta, i) => data.set(theta, i * P));
    await writeFileAtomic(outputs.thetaSnapshots, encodeNpy({ data, shape: [rows.length, P] }));
  }
  await writeFileAtomic(outputs.summary, encoder.encode(JSON.stringify(summary, null, 2) + "\n"));
}

/** The solver and stopping rule; GD's η and time span come from its reference run. */
function solverAndStop(c: TrainingRunConfig): {
  solver: SolverConfig;
  stop: { lossBelow: number; maxSteps: number; maxTime: number };
  eta: number | null;
} {
  const stop = { lossBelow: c.lossBelow, maxSteps: c.maxSteps, maxTime: c.maxTime };
  switch (c.solver) {
    case "ee":
      return { solver: { kind: "ee", etaMax: c.step }, stop, eta: null };
    case "agd":
      return { solver: { kind: "agd", etaMax: c.step }, stop, eta: null };
    case "flow":
      // The solver's default dt·|λ¹| ≤ 1/4: the reference's loss, interpolated at other runs'
      // step times, must err far below the 2 % it judges EE by (science/solvers/gradient_flow.ts).
      return { solver: { kind: "flow", dtMax: c.step }, stop, eta: null };
    case "gd": {
      if (!c.reference || !(c.reference.peakSharpness > 0)) {
        throw new Error("gd: needs a reference run with a positive peak sharpness");
      }
      if (!(c.gdSharpnessFraction > 0 && c.gdSharpnessFraction < 1)) {
        throw new Error(`gdSharpnessFraction: must lie in (0, 1), got ${c.gdSharpnessFraction}`);
      }
      const eta = 2 / (c.gdSharpnessFraction * c.reference.peakSharpness);
      // Over the reference's time span, so that GD and the flow are compared at equal t; the
      // step cap is the one that span needs, plus a margin for the rounding of t = Σ η.
      const maxTime = Math.min(c.maxTime, c.reference.t);
      const maxSteps = Math.ceil(maxTime / eta) + 2;
      return { solver: { kind: "gd", eta }, stop: { ...stop, maxTime, maxSteps }, eta };
    }
  }
}

function describe(s: SolverConfig): string {
  return Object.entries(s).map(([k, v]) => k === "kind" ? v : `${k}=${v}`).join(" ");
}
