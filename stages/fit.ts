/**
 * Stage `fit`: the power law ln ā = ln c + β ln N of one configuration's final alignments
 * (SCIENCE.md §5), over per-seed points and over per-N means, with bootstrap intervals of β.
 * Each point also carries what claim 4's informative rule needs (SCIENCE.md §6.4): the run's
 * initial mean alignment (its first measurement with `align_mean`), its steps and the rule that
 * stopped it, and its eigen-solve record when the run's summary has one.
 *
 * @module
 */
import { allOf, defineStage, type InputArtifact, integer, string } from "../pipeline/mod.ts";
import { fitPowerLaw, type PowerLawFit } from "../science/measure/power_law.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { FitRow, SweepPoint } from "../report/tables.ts";
import { initialAlignment, readEigenSolves, readSummary } from "./results.ts";

/** Fits one configuration's sweep; writes `fit.json` ({points, fits, stopReasons}). */
export const fitStage = defineStage({
  name: "fit",
  module: import.meta.url,
  params: { config: string(), bootstrapSeed: integer({ min: 0, default: 0 }) },
  inputs: (p) => ({ runs: allOf("train", { config: p.config, kind: "sweep" }) }),
  // On a cluster: one core and 2G (fits are seconds of work);
  // 30 min bounds a hung job.
  resources: { cores: 1, memory: "2G", timeLimit: "0:30:00" },
  outputs: ["fit.json"],
  run: async (ctx) => {
    const { config } = ctx.params;
    const points: SweepPoint[] = [], stopReasons: Record<string, number> = {};
    for (const run of ctx.inputList("runs")) {
      const point = await sweepPoint(config, run);
      points.push(point);
      stopReasons[point.stopReason!] = (stopReasons[point.stopReason!] ?? 0) + 1;
    }
    const result = fitPowerLaw(
      points.map((p) => ({ n: p.N, alignment: p.alignment, seed: p.seed })),
      { seed: ctx.params.bootstrapSeed },
    );
    const row = (over: "seeds" | "means", f: PowerLawFit): FitRow => ({
      config,
      over,
      beta: f.beta,
      beta_ci_low: f.betaCi95[0],
      beta_ci_high: f.betaCi95[1],
      c: f.c,
      r2: f.r2,
      points: f.points,
    });
    const fits = [row("seeds", result.perSeed), row("means", result.perNMean)];
    ctx.log(
      `${config}: β = ${result.perSeed.beta.toFixed(3)}, R² = ${result.perSeed.r2.toFixed(3)}`,
    );
    ctx.record({ bootstrapSeed: ctx.params.bootstrapSeed, stopReasons });
    await writeFileAtomic(
      ctx.output("fit.json"),
      new TextEncoder().encode(JSON.stringify({ points, fits, stopReasons }, null, 2) + "\n"),
    );
  },
});

/** One sweep run as a power-law point, with what claim 4's informative rule needs. */
async function sweepPoint(config: string, run: InputArtifact): Promise<SweepPoint> {
  const summary = await readSummary(run);
  const where = `${config}: run n=${run.params.n} seed=${run.params.seed}`;
  if (summary.finalAlignment === null || !(summary.finalAlignment > 0)) {
    throw new Error(`${where} has no alignment`);
  }
  const initial = await initialAlignment(run);
  if (initial === undefined) throw new Error(`${where}: measurements.csv has no align_mean`);
  const eigenSolves = readEigenSolves(summary);
  return {
    config,
    N: Number(run.params.n),
    seed: Number(run.params.seed),
    alignment: summary.finalAlignment,
    initialAlignment: initial,
    steps: summary.steps,
    stopReason: summary.stopReason,
    ...(eigenSolves ? { eigenSolves } : {}),
  };
}
