/**
 * The reproduction's pipeline: a function of the command line's `--profile`, `--config` and
 * `--backend` that lists every stage instance. The main path, top to bottom:
 *
 *   source (per image dataset) → data (per dataset × N × seed) → train (per showcase: EE, flow,
 *   adaptive GD, GD at each η; sweep: EE per configuration × N × seed) → fit (per configuration)
 *   → figures → report
 *
 * Train instances carry `kind` ("showcase" | "sweep", not in their id) so that later stages select
 * them with `allOf("train", { kind })`; a showcase's runs share the configuration
 * `showcase-<name>`, which no sweep configuration may take.
 *
 * @module
 */
import { overrideResources, type PipelineOptions, type StageInstance } from "../pipeline/mod.ts";
import { type BackendRequest, parseBackendRequest } from "../science/model/backend.ts";
import { MAX_WORKERS, WORKERS_ENV } from "../science/model/engine.ts";
import {
  type DataChoice,
  loadProfile,
  type ModelChoice,
  type Profile,
  type ShowcaseChoice,
  type SweepChoice,
} from "./profiles.ts";
import { isImageDataset } from "../science/datasets/limits.ts";
import { dataStage } from "./data.ts";
import { sourceStage } from "./source.ts";
import { trainStage } from "./train.ts";
import { fitStage } from "./fit.ts";
import { figuresStage } from "./figures.ts";
import { reportStage } from "./report.ts";

/**
 * Extra command-line options the pipeline accepts: `--backend NAME`, and `--workers N`, the
 * worker threads of each train stage (science/model/engine.ts). The backend is a parameter (it
 * changes the numbers); the workers are not (the numbers are the same, bit for bit, for every
 * count), so `--workers` reaches the stages as the environment variable `EOS_WORKERS`, which
 * their subprocesses inherit and read at run time, and never touches a cache key.
 */
export const cliOptions = ["backend", "workers"];

/** Every stage instance of the chosen profile. */
export async function pipeline(options: PipelineOptions): Promise<StageInstance[]> {
  const profile = await loadProfile(options.profile, options.config);
  const backend = backendOf(options.extra?.backend, profile.backend);
  if (options.extra?.workers !== undefined) setWorkers(options.extra.workers);
  const { showcases, sweep } = profile;
  const datasets = new Map<string, StageInstance>();
  const runs: StageInstance[] = [];

  const addRun: AddRun = (config, run, d, model, rest) => {
    const dataParams = { ...d, pool: d.pool };
    const instance = dataStage.with(dataParams, [
      "dataset",
      "n",
      "classes",
      "seed",
      "pool",
      "standardise",
    ]);
    datasets.set(instance.id, instance);
    const snapshotLimitMB = profile.snapshotLimitMB;
    runs.push(
      trainStage.with({ config, run, ...d, ...model, backend, snapshotLimitMB, ...rest }, ID),
    );
  };

  for (const s of showcases) addShowcase(s, addRun);
  addSweep(sweep, addRun);
  const images = new Set(
    [...datasets.values()].map((d) => String(d.params.dataset)).filter((d) => isImageDataset(d)),
  );
  return overrideResources(
    [
      ...[...images].map((dataset) => sourceStage.with({ dataset }, ["dataset"])),
      ...datasets.values(),
      ...runs,
      ...sweep.configs.map((c) => fitStage.with({ config: c.name }, ["config"])),
      figuresStage.with({ showcases: showcases.map((s) => `showcase-${s.name}`) }),
      reportStage.with({
        profile: profile.name,
        provenance: `profile ${profile.name}, backend ${backend}`,
        deviations: deviations(profile),
      }),
    ],
    profile.resources,
    "profile resources",
  );
}

const ID = ["config", "run", "n", "seed"] as const;

/** Adds one train instance (and the data instance it reads). */
type AddRun = (
  config: string,
  run: string,
  data: DataChoice & { n: number; seed: number },
  model: ModelChoice,
  rest: Record<string, unknown>,
) => void;

/** A showcase's runs (configuration `showcase-<name>`): EE, the RK4 flow, adaptive GD, GD per f. */
function addShowcase(s: ShowcaseChoice, addRun: AddRun): void {
  const config = `showcase-${s.name}`;
  const showcase = {
    kind: "showcase",
    initSeed: s.initSeed,
    ...s.stop,
    measureEvery: s.measureEvery,
  };
  addRun(config, "ee", s.data, s.model, {
    ...showcase,
    solver: "ee",
    step: s.etaMax,
    measure: "full",
  });
  addRun(config, "flow", s.data, s.model, {
    ...showcase,
    solver: "flow",
    step: s.flowDtMax,
    maxTime: Math.min(s.stop.maxTime, s.flowMaxTime),
    maxSteps: s.flowMaxSteps,
    measure: "sharpness",
  });
  addRun(config, "agd", s.data, s.model, {
    ...showcase,
    solver: "agd",
    step: s.etaMax,
    measure: "sharpness",
  });
  for (const f of s.gdSharpnessFractions) {
    addRun(config, `gd-${f}`, s.data, s.model, {
      ...showcase,
      solver: "gd",
      step: 0,
      gdSharpnessFraction: f,
      measure: "sharpness",
      sharpnessEvery: s.gdSharpnessEvery,
    });
  }
}

/** The sweep's runs: EE per configuration × N × seed. */
function addSweep(sweep: SweepChoice, addRun: AddRun): void {
  for (const c of sweep.configs) {
    for (const n of sweep.sizes) {
      for (const seed of sweep.seeds) {
        addRun(c.name, "ee", { ...c.data, n, seed }, c.model, {
          kind: "sweep",
          initSeed: seed,
          ...sweep.stop,
          // Measured at the start and at the end: the final alignment is what the fit needs.
          measureEvery: sweep.stop.maxSteps,
          solver: "ee",
          step: sweep.etaMax,
          measure: "alignment",
        });
      }
    }
  }
}

/** `--backend` when given (its errors name the flag), else the profile's backend. */
function backendOf(flag: string | undefined, fromProfile: string): BackendRequest {
  if (flag === undefined) return parseBackendRequest(fromProfile);
  try {
    return parseBackendRequest(flag);
  } catch (error) {
    throw new Error(`--${(error as Error).message}`);
  }
}

/** Hands `--workers N` to the stages' subprocesses, validated first. */
function setWorkers(flag: string): void {
  if (!/^\d+$/.test(flag) || Number(flag) > MAX_WORKERS) {
    throw new Error(`--workers: must be an integer in 0..${MAX_WORKERS}, got "${flag}"`);
  }
  Deno.env.set(WORKERS_ENV, flag);
}

/** How this profile's reproduction differs from the paper's setup, for the report. */
function deviations(p: Profile): string[] {
  return [
    ...p.showcases.map((s) =>
      `Showcase showcase-${s.name} (claims 1–3): ${describeData(s.data)}, N = ${s.data.n}; MLP ` +
      `hidden ${s.model.hidden.join("-")} ${s.model.activation}, ${s.model.loss}, EE η_max = ` +
      `${s.etaMax}; GD step sizes from the EE run's peak sharpness: 2/η = f · peak for f ∈ ` +
      `{${s.gdSharpnessFractions.join(", ")}}; the RK4 flow reference runs to t = ` +
      `${Math.min(s.stop.maxTime, s.flowMaxTime)} at most, to bound its cost.`
    ),
    ...p.sweep.configs.map((c) =>
      `Sweep ${c.name} (claim 4): ${describeData(c.data)}; MLP hidden ${
        c.model.hidden.join("-")
      } ` +
      `${c.model.activation}, ${c.model.loss}.`
    ),
    `Power law (claim 4): N ∈ {${p.sweep.sizes.join(", ")}}, seeds {${
      p.sweep.seeds.join(", ")
    }}, ` +
    `EE η_max = ${p.sweep.etaMax}; training stops at loss ≤ ${p.sweep.stop.lossBelow}, ` +
    `${p.sweep.stop.maxSteps} steps or t = ${p.sweep.stop.maxTime}, whichever comes first.`,
    "The paper trains wider networks (3 × 512 or more) on all ten classes of full-size images; " +
    "this profile's scale is set by its time budget (SCIENCE.md §8).",
    "MSE is Σ_q (z_q − y_q)² without ½ (the authors' convention); EE's stiff dimension is C " +
    "(MSE) or C − 1 (cross-entropy), as in the authors' reimplementation.",
    "Alignment is the project's definition a(x) = ‖J^{L−1}⋯J¹‖₂ / Π‖Jⁿ‖₂ (SCIENCE.md §4); the paper's " +
    "full text, and so its exact definition, was not at hand.",
    "Random numbers come from a seeded xoshiro128** generator, not the authors' PyTorch RNG.",
  ];
}

/** A data choice in words: dataset, classes, pooling, preprocessing. */
function describeData(d: DataChoice): string {
  const pooled = d.pool > 1 ? `, ${d.pool}×${d.pool} average pooling` : "";
  return `${d.dataset}, classes [${d.classes.join(", ")}]${pooled}` +
    (d.standardise ? ", standardised" : "");
}
