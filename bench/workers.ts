/**
 * Data-parallel scaling (science/model/engine.ts), `workers.a` and `workers.b`: on config a and
 * config b of bench/numerics.ts, the gradient, an HVP and exponential Euler steps (k = 2,
 * η_max = 0.01, the first 10 steps from the init) on the main thread (`….0.…`), 1 and 2 workers
 * (and `--workers N` when N > 2), with each count's time over 1 worker, its scaling efficiency
 * t₁ / (n·tₙ), and whether the counts took the same steps bit for bit. The counts are timed in
 * turn, rep by rep and step by step, so that a shared machine's drifting speed hits them alike.
 * For config b, the same EE steps in PyTorch-CPU (bench/pytorch_ee.py, the same algorithm on the
 * same data) at each thread count up to the cores, when a python3 with torch is found.
 *
 * On a machine shared with other work the wall times say little about scaling (two workers wait
 * for whichever is descheduled), so `….busiest_thread_cpu` (Linux) gives, per gradient and HVP,
 * the CPU time of the process's busiest thread: the wall time an idle machine would approach, as
 * the threads run side by side.
 *
 * @module
 */
import { Objective } from "../science/model/objective.ts";
import { curvatureProducts } from "../science/model/curvature.ts";
import { ExponentialEuler } from "../science/solvers/exponential_euler.ts";
import { DEFAULT_EIGEN_SETTINGS } from "../science/solvers/eigen_settings.ts";
import { mean, median } from "../util/stats.ts";
import { type Benchmark, type BenchSettings, type Emit } from "./benchmark.ts";
import { type Config, configData, CONFIGS } from "./numerics.ts";
import { pytorchReference } from "./pytorch.ts";

const EE_STEPS = 10, EE_K = 2, EE_ETA = 0.01, WARM_UP_MS = 2000;
/** Gradient and HVP repetitions per count. */
const REPS: Record<string, number> = { a: 30, b: 10 };
/** What the issue asks of 2 workers: an HVP and an EE step in ≤ 0.6× their time with 1. */
const TARGET_RATIO = 0.6;

/** Times of one worker count. */
interface CountTimes {
  gradient: number[];
  hvp: number[];
  eeStep: number[];
  applications: number;
  theta: Float32Array;
}

async function runScaling(c: Config, emit: Emit, settings: BenchSettings): Promise<void> {
  const p = `workers.${c.name}`;
  const counts = [0, 1, 2, ...(settings.workers > 2 ? [settings.workers] : [])];
  const { x, y, theta0, rng } = configData(c);
  const objectives = counts.map((workers) =>
    new Objective({ spec: c.spec, loss: "mse", x, y, workers })
  );
  try {
    emit(`${p}.shards`, objectives[0].shards.length, "count");
    const v = Float64Array.from({ length: objectives[0].parameterCount }, () => rng.normal());
    const times = timeProductsInTurn(objectives, theta0, v, REPS[c.name]);
    emitBusiestThreads(emit, p, counts, objectives, theta0, v, REPS[c.name]);
    timeEeInTurn(objectives, theta0, times);
    const same = times.every((t) => t.theta.every((e, i) => Object.is(e, times[0].theta[i])));
    emitCounts(emit, p, counts, times);
    emit(`${p}.check.same_bits_for_every_count`, Number(same), "bool");
    if (c.name === "b") {
      const twoWorkers = mean(times[counts.indexOf(2)].eeStep);
      await emitPytorch(emit, p, c, { x, y, theta0 }, counts, times, twoWorkers);
    }
  } finally {
    for (const o of objectives) o.dispose();
  }
}

/** Gradient and single-vector HVP times, each count in turn per rep, after a warm-up. */
function timeProductsInTurn(
  objectives: Objective[],
  theta: Float32Array,
  v: Float64Array,
  reps: number,
): CountTimes[] {
  const points = objectives.map((o) => o.at(theta));
  const times = objectives.map((): CountTimes => ({
    gradient: [],
    hvp: [],
    eeStep: [],
    applications: 0,
    theta,
  }));
  const start = performance.now();
  while (performance.now() - start < WARM_UP_MS) {
    objectives.forEach((
      o,
      i,
    ) => (o.at(theta).dispose(), curvatureProducts(points[i], "hessian", [v])));
  }
  for (let r = 0; r < reps; r++) {
    objectives.forEach((o, i) => {
      times[i].gradient.push(elapsed(() => o.at(theta).dispose()));
      times[i].hvp.push(elapsed(() => curvatureProducts(points[i], "hessian", [v])));
    });
  }
  for (const q of points) q.dispose();
  return times;
}

/** EE_STEPS exponential Euler steps from θ₀ per count, the counts in turn step by step. */
function timeEeInTurn(objectives: Objective[], theta0: Float32Array, times: CountTimes[]) {
  const solvers = objectives.map(() =>
    new ExponentialEuler({ etaMax: EE_ETA, k: EE_K, warmup: 0, eigen: DEFAULT_EIGEN_SETTINGS })
  );
  const t = objectives.map(() => 0);
  times.forEach((c) => c.theta = theta0);
  for (let s = 0; s < EE_STEPS; s++) {
    objectives.forEach((o, i) => {
      const begin = performance.now();
      const point = o.at(times[i].theta);
      const r = solvers[i].step(point, t[i], s);
      point.dispose();
      times[i].eeStep.push(performance.now() - begin);
      times[i].applications += r.report.operatorApplications;
      times[i].theta = r.theta;
      t[i] = r.report.t;
    });
  }
}

function emitCounts(emit: Emit, p: string, counts: number[], times: CountTimes[]): void {
  const one = times[counts.indexOf(1)];
  const of = (t: CountTimes) => ({
    gradient: median(t.gradient),
    hvp: median(t.hvp),
    ee_step: mean(t.eeStep),
  });
  counts.forEach((n, i) => {
    const t = of(times[i]), base = of(one);
    for (const [name, ms] of Object.entries(t)) emit(`${p}.${n}.${name}`, ms, "ms");
    emit(`${p}.${n}.ee_applications_per_step`, times[i].applications / EE_STEPS, "count");
    if (n < 2) return;
    for (const [name, ms] of Object.entries(t)) {
      const key = name as keyof typeof t;
      emit(`${p}.${n}.${name}_over_1`, ms / base[key], "ratio");
      emit(`${p}.${n}.${name}_efficiency`, base[key] / (n * ms), "ratio");
    }
  });
  const two = of(times[counts.indexOf(2)]), base = of(one);
  emit(`${p}.check.hvp_2_le_0.6x_1`, Number(two.hvp <= TARGET_RATIO * base.hvp), "bool");
  emit(
    `${p}.check.ee_step_2_le_0.6x_1`,
    Number(two.ee_step <= TARGET_RATIO * base.ee_step),
    "bool",
  );
}

/** The PyTorch reference's lines, and how the workers' EE step compares with its best. */
async function emitPytorch(
  emit: Emit,
  p: string,
  c: Config,
  data: { x: Float32Array; y: Int32Array; theta0: Float32Array },
  counts: number[],
  times: CountTimes[],
  twoWorkers: number,
): Promise<void> {
  const threads = Array.from({ length: navigator.hardwareConcurrency }, (_, i) => i + 1);
  const ref = await pytorchReference(c.spec, data, { k: EE_K, etaMax: EE_ETA }, threads, EE_STEPS);
  emit(`${p}.pytorch.available`, Number(ref !== null), "bool");
  if (ref === null) return;
  for (const r of ref) {
    emit(`${p}.pytorch.${r.threads}.gradient`, r.gradientMs, "ms");
    emit(`${p}.pytorch.${r.threads}.hvp`, r.hvpMs, "ms");
    emit(`${p}.pytorch.${r.threads}.ee_step`, r.eeStepMs, "ms");
    emit(`${p}.pytorch.${r.threads}.ee_applications_per_step`, r.applicationsPerStep, "count");
  }
  const best = ref.reduce((a, b) => (b.eeStepMs < a.eeStepMs ? b : a));
  emit(`${p}.pytorch.best_threads`, best.threads, "count");
  counts.forEach((n, i) => {
    if (n > 0) {
      emit(`${p}.${n}.ee_step_over_pytorch_best`, mean(times[i].eeStep) / best.eeStepMs, "ratio");
    }
  });
  emit(`${p}.check.ee_step_2_le_pytorch_best`, Number(twoWorkers <= best.eeStepMs), "bool");
}

/** Each count's busiest thread's CPU time per gradient and per HVP, and its ratio to 1 worker. */
function emitBusiestThreads(
  emit: Emit,
  p: string,
  counts: number[],
  objectives: Objective[],
  theta: Float32Array,
  v: Float64Array,
  reps: number,
): void {
  const busiest = objectives.map((o) => {
    const point = o.at(theta);
    const gradient = busiestThreadCpu(() => o.at(theta).dispose(), reps);
    const hvp = busiestThreadCpu(() => curvatureProducts(point, "hessian", [v]), reps);
    point.dispose();
    return { gradient, hvp };
  });
  if (busiest[0].gradient === null) return;
  const one = busiest[counts.indexOf(1)];
  counts.forEach((n, i) => {
    for (const name of ["gradient", "hvp"] as const) {
      emit(`${p}.${n}.${name}_busiest_thread_cpu`, busiest[i][name]!, "ms");
      if (n >= 2) {
        emit(
          `${p}.${n}.${name}_busiest_thread_cpu_over_1`,
          busiest[i][name]! / one[name]!,
          "ratio",
        );
      }
    }
  });
}

/** CPU ms per call of `f` of the process's busiest thread, from /proc; null where there is none. */
function busiestThreadCpu(f: () => void, reps: number): number | null {
  const read = () => {
    const out = new Map<string, number>();
    for (const entry of Deno.readDirSync("/proc/self/task")) {
      try {
        const stat = Deno.readTextFileSync(`/proc/self/task/${entry.name}/stat`);
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        out.set(entry.name, (Number(fields[11]) + Number(fields[12])) * 10); // ticks of 10 ms
      } catch {
        // the thread ended meanwhile
      }
    }
    return out;
  };
  try {
    // About a second of calls, so that the 10 ms ticks resolve a thread's share to about 1 %.
    const calls = Math.min(500, Math.max(reps, Math.ceil(1000 / Math.max(elapsed(f), 0.1))));
    const before = read();
    for (let i = 0; i < calls; i++) f();
    const after = read();
    const deltas = [...after].map(([tid, ms]) => ms - (before.get(tid) ?? 0));
    return Math.max(...deltas) / calls;
  } catch {
    return null; // no /proc (not Linux)
  }
}

function elapsed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** The scaling benchmarks, in the order they run. */
export const workersBenchmarks: Benchmark[] = CONFIGS.filter((c) => !c.optional).map((c) => ({
  name: `workers.${c.name}`,
  description: `MLP ${c.spec.sizes.join("-")}, N=${c.n}: main thread, 1 and 2 workers` +
    (c.name === "b" ? ", and PyTorch-CPU's EE step" : ""),
  byDefault: true,
  run: (emit, settings) => runScaling(c, emit, settings),
}));
