/**
 * Stage `fit`: the power law ln ā = ln c + β ln N of one configuration's final alignments
 * (SCIENCE.md §5), over per-seed points and over per-N means, with bootstrap intervals of β.
 *
 * @module
 */
import { allOf, defineStage, integer, string } from "../pipeline/mod.ts";
import { fitPowerLaw, type PowerLawFit } from "../science/measure/power_law.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { FitRow, SweepPoint } from "../report/mod.ts";
import { readSummary } from "./results.ts";

/** Fits one configuration's sweep; writes `fit.json` ({points, fits, stopReasons}). */
export const fitStage = defineStage({
  name: "fit",
  module: import.meta.url,
  params: { config: string(), bootstrapSeed: integer({ min: 0, default: 0 }) },
  inputs: (p) => ({ runs: allOf("train", { config: p.config }) }),
  outputs: ["fit.json"],
  run: async (ctx) => {
    const { config } = ctx.params;
    const points: SweepPoint[] = [], stopReasons: Record<string, number> = {};
    for (const run of ctx.inputList("runs")) {
      const summary = await readSummary(run);
      if (summary.finalAlignment === null || !(summary.finalAlignment > 0)) {
        throw new Error(
          `${config}: run n=${run.params.n} seed=${run.params.seed} has no alignment`,
        );
      }
      points.push({
        config,
        N: Number(run.params.n),
        seed: Number(run.params.seed),
        alignment: summary.finalAlignment,
      });
      stopReasons[summary.stopReason] = (stopReasons[summary.stopReason] ?? 0) + 1;
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
