/**
 * Numerics benchmarks (issue 4): for config a (MLP 49-64-64-64-2 ELU, MSE, N = 512) and config b
 * (MLP 784-200-200-10 tanh, MSE, N = 1000) on synthetic Gaussian inputs with random labels:
 * gradient and Hessian-vector product times, batching, exponential Euler (k = 2, η_max = 0.01)
 * over 30 steps from a fixed init with its operator applications per step, and over the 30 steps
 * after those (`ee_warm_…`, the warm steady state of long runs), the same eigenpairs by a
 * warm-started block power iteration for comparison, and peak memory. `numerics.b4000` (config
 * b's net on N = 4000, off by default) shows how the step-time target scales with N. The full XOR
 * example of SCIENCE.md §7 is the `xor` benchmark (minutes; run it with `--only xor`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/rng.ts";
import { xorData } from "../science/datasets/synthetic.ts";
import { initTheta } from "../science/model/mlp.ts";
import { Objective, type ObjectivePoint } from "../science/model/objective.ts";
import { curvatureProducts } from "../science/model/curvature.ts";
import { kernelThreads } from "../science/linalg/kernel_threads.ts";
import { ExponentialEuler } from "../science/solvers/exponential_euler.ts";
import { DEFAULT_EIGEN_SETTINGS, hessianOperator } from "../science/solvers/eigen_settings.ts";
import type { MlpSpec } from "../science/model/layout.ts";
import type { PointEvaluation } from "../science/solvers/types.ts";
import { train } from "../science/training/train.ts";
import { blockPowerIteration } from "./block_power.ts";
import { mean, median, quantile } from "../util/stats.ts";
import { type Benchmark, type BenchSettings, type Emit, timeMs } from "./benchmark.ts";

/** A benchmark network and its synthetic data. */
export interface Config {
  name: string;
  /** Off by default: run with `--only numerics.NAME`. */
  optional?: boolean;
  spec: MlpSpec;
  n: number;
  reps: number;
  /** EE steps at which the block power baseline also runs (it is slow on the large net). */
  baselineSteps: number;
  /** Block power iteration cap per step (an unconverged step counts its capped applications). */
  baselineMaxIterations: number;
}

/** Config b's net, which `b4000` reuses on more examples. */
const NET_B: MlpSpec = { sizes: [784, 200, 200, 10], activation: "tanh" };

export const CONFIGS: Config[] = [
  {
    name: "a",
    spec: { sizes: [49, 64, 64, 64, 2], activation: "elu" },
    n: 512,
    reps: 20,
    baselineSteps: 30,
    baselineMaxIterations: 300,
  },
  {
    name: "b",
    spec: NET_B,
    n: 1000,
    reps: 8,
    baselineSteps: 8,
    baselineMaxIterations: 40,
  },
  {
    // Config b's net on 4× the examples: the products grow with N, the solver's own work does not.
    name: "b4000",
    optional: true,
    spec: NET_B,
    n: 4000,
    reps: 4,
    baselineSteps: 2,
    baselineMaxIterations: 40,
  },
];

const EE_STEPS = 30, EE_K = 2, EE_ETA = 0.01, WARM_UP_MS = 3000;

/** Config c's inputs (Gaussian), random labels and initial θ, the same at every call. */
export function configData(c: Config) {
  const rng = new Rng(2024);
  const d0 = c.spec.sizes[0], C = c.spec.sizes.at(-1)!;
  const x = Float32Array.from({ length: c.n * d0 }, () => rng.normal());
  const y = Int32Array.from({ length: c.n }, () => rng.int(C));
  return { x, y, theta0: initTheta(c.spec, rng), rng };
}

function runConfig(c: Config, emit: Emit, settings: BenchSettings): void {
  const p = `numerics.${c.name}`;
  const { x, y, theta0, rng } = configData(c);
  const objective = new Objective({ spec: c.spec, loss: "mse", x, y, workers: settings.workers });
  const memory = new PeakMemory();
  try {
    emit(`${p}.parameters`, objective.parameterCount, "count");
    emit(`${p}.kernel_threads`, kernelThreads(), "count");
    emit(`${p}.workers`, objective.workers, "count");
    const probes = [0, 1, 2].map(() =>
      Float64Array.from({ length: objective.parameterCount }, () => rng.normal())
    );
    const { gradient, hvp } = benchProducts(c, objective, theta0, probes, memory, emit);
    const ee = benchEe(c, objective, theta0, { probe: probes[0], hvp }, memory, emit);
    emit(`${p}.peak_rss`, memory.rss / 2 ** 20, "MiB");
    emit(`${p}.peak_tensor_memory`, memory.tensorBytes / 2 ** 20, "MiB");
    emit(`${p}.check.hvp_le_2.5x_gradient`, Number(hvp <= 2.5 * gradient), "bool");
    emit(`${p}.check.ee_step_le_apps_plus_2_hvp`, Number(ee.firstRatio <= 1), "bool");
    emit(
      `${p}.check.ee_fewer_applications_than_block_power`,
      Number(ee.appsOnBaselineSteps < ee.powerApps),
      "bool",
    );
    emit(`${p}.check.ee_warm_step_le_apps_plus_2_hvp`, Number(ee.warmRatio <= 1), "bool");
  } finally {
    objective.dispose();
  }
}

/** The largest process and tensor memory seen at the samples taken. */
class PeakMemory {
  rss = Deno.memoryUsage().rss;
  tensorBytes = tf.memory().numBytes;

  sample(): void {
    this.rss = Math.max(this.rss, Deno.memoryUsage().rss);
    this.tensorBytes = Math.max(this.tensorBytes, tf.memory().numBytes);
  }
}

/**
 * Times the gradient and the Hessian products at the init (one vector, three at once, and one
 * with its own forward-backward pass); resolves the gradient's and one HVP's median ms.
 */
function benchProducts(
  c: Config,
  objective: Objective,
  theta0: Float32Array,
  vs: Float64Array[],
  memory: PeakMemory,
  emit: Emit,
): { gradient: number; hvp: number } {
  const p = `numerics.${c.name}`;
  const point = objective.at(theta0);
  // The first calls run slower (wasm tier-up, tfjs's first kernels): warm up before timing.
  warmUp(() => {
    objective.at(theta0).dispose();
    curvatureProducts(point, "hessian", vs);
  });
  const gradient = timeMs(() => objective.at(theta0).dispose(), c.reps);
  const hvp = timeMs(() => curvatureProducts(point, "hessian", [vs[0]]), c.reps);
  const batch3 = timeMs(() => curvatureProducts(point, "hessian", vs), c.reps);
  memory.sample();
  point.dispose();
  const fromScratch = timeMs(() => {
    const q = objective.at(theta0);
    curvatureProducts(q, "hessian", [vs[0]]);
    q.dispose();
  }, c.reps);
  emit(`${p}.gradient`, gradient, "ms");
  emit(`${p}.hvp`, hvp, "ms");
  emit(`${p}.hvp_over_gradient`, hvp / gradient, "ratio");
  emit(`${p}.hvp_with_forward_backward`, fromScratch, "ms");
  emit(`${p}.hvp_with_forward_backward_over_gradient`, fromScratch / gradient, "ratio");
  emit(`${p}.hvp_batch3_per_vector`, batch3 / 3, "ms");
  emit(`${p}.hvp_batch3_speedup`, (3 * hvp) / batch3, "ratio");
  return { gradient, hvp };
}

/**
 * EE over 30 steps from the init, then 30 more: the first window includes the cold start and the
 * fast early change of the Hessian, the second is the warm steady state of long runs. The block
 * power baseline solves the same eigenproblem at the first window's points.
 */
function benchEe(
  c: Config,
  objective: Objective,
  theta0: Float32Array,
  timing: { probe: Float64Array; hvp: number },
  memory: PeakMemory,
  emit: Emit,
) {
  const p = `numerics.${c.name}`;
  const ee = new ExponentialEuler({
    etaMax: EE_ETA,
    k: EE_K,
    warmup: 0,
    eigen: DEFAULT_EIGEN_SETTINGS,
  });
  const baseline = new BlockPowerBaseline(c);
  const first = runEe(
    ee,
    objective,
    { theta: theta0, t: 0, step: 0 },
    timing.probe,
    (q, apps, s) => {
      memory.sample();
      baseline.atPoint(q, apps, s);
    },
  );
  const firstRatio = emitEeWindow(emit, p, "ee", first, timing.hvp);
  const warm = runEe(ee, objective, first.end, timing.probe, () => memory.sample());
  const warmRatio = emitEeWindow(emit, p, "ee_warm", warm, timing.hvp);
  emit(`${p}.baseline_steps`, c.baselineSteps, "count");
  emit(
    `${p}.ee_applications_per_baseline_step`,
    baseline.eeApplications / c.baselineSteps,
    "count",
  );
  emit(`${p}.block_power_applications_per_step`, baseline.applications / c.baselineSteps, "count");
  emit(`${p}.block_power_capped_steps`, baseline.unconverged, "count");
  return {
    firstRatio,
    warmRatio,
    appsOnBaselineSteps: baseline.eeApplications,
    powerApps: baseline.applications,
  };
}

/**
 * A warm-started block power iteration for EE's eigenpairs at each of the first `baselineSteps`
 * EE points, counting its operator applications against EE's own on those steps.
 */
class BlockPowerBaseline {
  applications = 0;
  unconverged = 0;
  eeApplications = 0;
  #vectors: Float64Array[] = [];

  constructor(readonly c: Config) {}

  atPoint(q: ObjectivePoint, eeApplications: number, step: number): void {
    if (step >= this.c.baselineSteps) return;
    this.eeApplications += eeApplications;
    const power = blockPowerIteration(
      hessianOperator(q),
      EE_K + 1,
      this.#vectors,
      DEFAULT_EIGEN_SETTINGS.tolerance,
      this.c.baselineMaxIterations,
    );
    this.#vectors = power.vectors;
    this.applications += power.applications;
    if (!power.converged) this.unconverged++;
  }
}

/** Where an EE run stands. */
interface EeState {
  theta: Float32Array;
  t: number;
  step: number;
}

/** What {@linkcode runEe} measured over its EE_STEPS steps (totals in ms). */
interface EeWindow {
  stepMs: number;
  gradientMs: number;
  operatorMs: number;
  applications: number;
  /** A single HVP timed at each step's point. */
  hvpAlongRun: number[];
  end: EeState;
}

/**
 * Runs EE_STEPS steps of `ee` from `from`, timing the gradient, the Hessian products and the
 * rest (the solver's own work), and one HVP of `probe` at each step's point, so that the
 * step-time target compares times taken under the same conditions (the machine's speed drifts
 * over a long run). `atPoint` sees each point before it is disposed.
 */
function runEe(
  ee: ExponentialEuler,
  objective: Objective,
  from: EeState,
  probe: Float64Array,
  atPoint: (q: ObjectivePoint, applications: number, step: number) => void,
): EeWindow {
  const w: Omit<EeWindow, "end"> = {
    stepMs: 0,
    gradientMs: 0,
    operatorMs: 0,
    applications: 0,
    hvpAlongRun: [],
  };
  let { theta, t } = from;
  for (let s = from.step; s < from.step + EE_STEPS; s++) {
    const t0 = performance.now();
    const q = objective.at(theta);
    w.gradientMs += performance.now() - t0;
    // The step sees q through a view that times its Hessian products.
    const timed: PointEvaluation = {
      theta: q.theta,
      loss: q.loss,
      accuracy: q.accuracy,
      gradient: q.gradient,
      hessianProducts: (vectors) => {
        const a = performance.now();
        const products = q.hessianProducts(vectors);
        w.operatorMs += performance.now() - a;
        return products;
      },
      dispose: () => q.dispose(),
    };
    const r = ee.step(timed, t, s);
    w.stepMs += performance.now() - t0;
    w.applications += r.report.operatorApplications;
    w.hvpAlongRun.push(timeMs(() => curvatureProducts(q, "hessian", [probe]), 1));
    atPoint(q, r.report.operatorApplications, s);
    q.dispose();
    theta = r.theta;
    t = r.report.t;
  }
  return { ...w, end: { theta, t, step: from.step + EE_STEPS } };
}

/**
 * The lines of one window of EE steps (`numerics.b.ee_step`, `numerics.b.ee_warm_step`, …);
 * returns the step-time ratio step / ((applications per step + 2) × HVP), ≤ 1 where the target
 * holds.
 */
function emitEeWindow(emit: Emit, p: string, window: string, w: EeWindow, hvp: number): number {
  const perStep = w.stepMs / EE_STEPS, appsPerStep = w.applications / EE_STEPS;
  const ownMs = w.stepMs - w.gradientMs - w.operatorMs;
  // The step time is a mean over the window's steps, so it is compared with the mean HVP over
  // the same steps: the median would leave out the slow phases that the steps lived through too.
  const hvpAlong = mean(w.hvpAlongRun);
  const name = `${p}.${window}`;
  emit(`${name}_step`, perStep, "ms");
  emit(`${name}_applications_per_step`, appsPerStep, "count");
  emit(`${name}_step_over_hvp`, perStep / hvp, "ratio");
  emit(`${p}.hvp_along_${window}_run`, median(w.hvpAlongRun), "ms");
  emit(`${p}.hvp_along_${window}_run_mean`, hvpAlong, "ms");
  // How much the machine's speed moved during the window: the step-time checks cannot be
  // trusted to better than this.
  const spread = quantile(w.hvpAlongRun, 0.9) / quantile(w.hvpAlongRun, 0.1);
  emit(`${p}.hvp_along_${window}_run_p90_over_p10`, spread, "ratio");
  const ratio = perStep / ((appsPerStep + 2) * hvpAlong);
  emit(`${name}_step_over_apps_plus_2_hvp`, ratio, "ratio");
  emit(`${name}_step_gradient`, w.gradientMs / EE_STEPS, "ms");
  emit(`${name}_step_hessian_products`, w.operatorMs / EE_STEPS, "ms");
  emit(`${name}_step_solver_own`, ownMs / EE_STEPS, "ms");
  // Own work grows with the basis (O(P) per vector), the products with N too.
  emit(`${name}_solver_own_per_application`, ownMs / w.applications, "ms");
  // What the step spends besides its Hessian products, in HVPs: the step-time target holds
  // when this is ≤ 2 and the products cost one HVP each (they drift with the machine's speed).
  const besides = (w.stepMs - w.operatorMs) / EE_STEPS / hvpAlong;
  emit(`${name}_step_besides_products_over_hvp`, besides, "ratio");
  return ratio;
}

/** Calls `f` until `WARM_UP_MS` have passed (at least 3 times). */
function warmUp(f: () => void): void {
  const start = performance.now();
  for (let i = 0; i < 3 || performance.now() - start < WARM_UP_MS; i++) f();
}

async function runXorExample(emit: Emit): Promise<void> {
  // The dataset and init of the pipeline's XOR showcase (seed 0).
  const { inputs: x, labels: y } = xorData(128, 0);
  const spec: MlpSpec = { sizes: [2, 128, 128, 128, 2], activation: "elu" };
  const t0 = performance.now();
  const r = await train({
    spec,
    loss: "cross_entropy",
    x,
    y,
    solver: { kind: "ee", etaMax: 0.01, k: 2 },
    theta0: initTheta(spec, new Rng(0)),
    stop: { lossBelow: 0.1, maxSteps: 20000 },
    measureEvery: 0,
  });
  emit("xor.t_at_loss_0.1", r.t, "flow_time");
  emit("xor.steps", r.steps, "count");
  emit("xor.monotone_warnings", r.warnings.length, "count");
  emit("xor.reached_loss_0.1", Number(r.stopReason === "lossBelow"), "bool");
  emit("xor.wall", (performance.now() - t0) / 1000, "s");
}

/** The numerics benchmarks, in the order they run. */
export const numericsBenchmarks: Benchmark[] = [
  ...CONFIGS.map((c): Benchmark => ({
    name: `numerics.${c.name}`,
    description: `MLP ${c.spec.sizes.join("-")} ${c.spec.activation}, MSE, N=${c.n}`,
    byDefault: !c.optional,
    run: (emit, settings) => Promise.resolve(runConfig(c, emit, settings)),
  })),
  {
    name: "xor",
    description:
      "SCIENCE.md §7 XOR example: 2-128-128-128-2 ELU, cross-entropy, EE(0.01, k=2) to loss 0.1",
    byDefault: false,
    run: runXorExample,
  },
];
