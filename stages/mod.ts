/**
 * The reproduction's pipeline: a function of the command line's `--profile`, `--config` and
 * `--backend` that lists every stage instance. The main path, top to bottom:
 *
 *   data (per dataset × N × seed) → train (showcase: EE, flow, adaptive GD, GD at each η;
 *   sweep: EE per configuration × N × seed) → fit (per configuration) → figures → report
 *
 * @module
 */
import type { PipelineOptions, StageInstance } from "../pipeline/mod.ts";
import { parseBackendRequest } from "../science/model/backend.ts";
import { type DataChoice, loadProfile, type ModelChoice, type Profile } from "./profiles.ts";
import { dataStage } from "./data.ts";
import { trainStage } from "./train.ts";
import { fitStage } from "./fit.ts";
import { figuresStage } from "./figures.ts";
import { reportStage } from "./report.ts";

/** Extra command-line options the pipeline accepts: `--backend NAME`. */
export const cliOptions = ["backend"];

/** Every stage instance of the chosen profile. */
export async function pipeline(options: PipelineOptions): Promise<StageInstance[]> {
  const profile = await loadProfile(options.profile, options.config);
  const backend = parseBackendRequest(options.extra?.backend ?? profile.backend);
  const { showcase: s, sweep } = profile;
  const datasets = new Map<string, StageInstance>();
  const runs: StageInstance[] = [];

  const addRun = (
    config: string,
    run: string,
    d: DataChoice & { n: number; seed: number },
    model: ModelChoice,
    rest: Record<string, unknown>,
  ) => {
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
    runs.push(trainStage.with({ config, run, ...d, ...model, backend, ...rest }, ID));
  };

  const showcase = { initSeed: s.initSeed, ...s.stop, measureEvery: s.measureEvery };
  addRun("showcase", "ee", s.data, s.model, {
    ...showcase,
    solver: "ee",
    step: s.etaMax,
    measure: "full",
  });
  addRun("showcase", "flow", s.data, s.model, {
    ...showcase,
    solver: "flow",
    step: s.flowDtMax,
    maxTime: Math.min(s.stop.maxTime, s.flowMaxTime),
    maxSteps: s.flowMaxSteps,
    measure: "sharpness",
  });
  addRun("showcase", "agd", s.data, s.model, {
    ...showcase,
    solver: "agd",
    step: s.etaMax,
    measure: "sharpness",
  });
  for (const f of s.gdSharpnessFractions) {
    addRun("showcase", `gd-${f}`, s.data, s.model, {
      ...showcase,
      solver: "gd",
      step: 0,
      gdSharpnessFraction: f,
      measure: "sharpness",
    });
  }
  for (const c of sweep.configs) {
    for (const n of sweep.sizes) {
      for (const seed of sweep.seeds) {
        addRun(c.name, "ee", { ...c.data, n, seed }, c.model, {
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
  return [
    ...datasets.values(),
    ...runs,
    ...sweep.configs.map((c) => fitStage.with({ config: c.name }, ["config"])),
    figuresStage.with({}),
    reportStage.with({
      profile: profile.name,
      provenance: `profile ${profile.name}, backend ${backend}`,
      deviations: deviations(profile),
    }),
  ];
}

const ID = ["config", "run", "n", "seed"] as const;

/** How this profile's reproduction differs from the paper's setup, for the report. */
function deviations(p: Profile): string[] {
  const d = p.showcase.data;
  return [
    `Showcase (claims 1–3): ${d.dataset}, first ${d.classes} classes, N = ${d.n}, ` +
    `${d.pool}×${d.pool} average pooling${d.standardise ? ", standardised" : ""}; MLP ` +
    `hidden ${p.showcase.model.hidden.join("-")} ${p.showcase.model.activation}, ` +
    `${p.showcase.model.loss}. The paper trains larger networks on full-size images.`,
    `Power law (claim 4): ${p.sweep.configs.map((c) => c.name).join(", ")}; N ∈ ` +
    `{${p.sweep.sizes.join(", ")}}, seeds {${p.sweep.seeds.join(", ")}}; training stops at loss ` +
    `≤ ${p.sweep.stop.lossBelow}, ${p.sweep.stop.maxSteps} steps or t = ${p.sweep.stop.maxTime}.`,
    "MSE is Σ_q (z_q − y_q)² without ½ (the authors' convention); EE's stiff dimension is C " +
    "(MSE) or C − 1 (cross-entropy), as in the authors' reimplementation.",
    "Alignment is the project's definition a(x) = ‖J^{L−1}⋯J¹‖₂ / Π‖Jⁿ‖₂ (SCIENCE.md §4); the paper's " +
    "full text, and so its exact definition, was not at hand.",
    "GD step sizes are set from the EE run's peak sharpness: 2/η = f · peak for f ∈ " +
    `{${p.showcase.gdSharpnessFractions.join(", ")}}; the flow reference (RK4) runs to t = ` +
    `${Math.min(p.showcase.stop.maxTime, p.showcase.flowMaxTime)} only, to bound its cost.`,
    "Random numbers come from a seeded xoshiro128** generator, not the authors' PyTorch RNG.",
  ];
}
