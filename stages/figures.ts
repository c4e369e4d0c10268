/**
 * Stage `figures`: F1–F7 (Vega-Lite spec, SVG, PNG) and the fit table T1, from the showcase runs
 * and the power-law fits. It reads results only, so `deno task figures` re-renders without
 * retraining.
 *
 * @module
 */
import { allOf, defineStage, integer } from "../pipeline/mod.ts";
import { renderFigureSet } from "../report/mod.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { readFits, readRun } from "./results.ts";

/** The figures' ids; each is written as `.vl.json`, `.svg` and `.png`. */
export const FIGURE_IDS = ["F1", "F2", "F3", "F4", "F5", "F6", "F7"];

/** Renders every figure; a figure without data is an error naming it. */
export const figuresStage = defineStage({
  name: "figures",
  module: import.meta.url,
  params: { scale: integer({ min: 1, max: 4, default: 2 }) },
  inputs: () => ({ showcase: allOf("train", { config: "showcase" }), fits: allOf("fit") }),
  outputs: [
    ...FIGURE_IDS.flatMap((id) => [`${id}.vl.json`, `${id}.svg`, `${id}.png`]),
    "T1.md",
    "T1.html",
    "figures.json",
  ],
  run: async (ctx) => {
    const runs = await Promise.all(ctx.inputList("showcase").map(readRun));
    const { points, fits } = await readFits(ctx.inputList("fits"));
    const set = await renderFigureSet(ctx.outDir, { runs, eeRun: "ee", points, fits }, {
      scale: ctx.params.scale,
    });
    if (set.missing.length > 0) {
      const list = set.missing.map((m) => `${m.id} (${m.reason})`).join("; ");
      throw new Error(`figures without data: ${list}`);
    }
    for (const w of set.written) ctx.log(`${w.name}: ${w.width}×${w.height} in ${w.renderMs} ms`);
    // File names only: the report stage finds them in this artifact's folder.
    const index = set.figures.map((f) => ({
      ...f,
      pngPath: `${f.id}.png`,
      svgPath: `${f.id}.svg`,
      vlPath: `${f.id}.vl.json`,
    }));
    await writeFileAtomic(
      ctx.output("figures.json"),
      new TextEncoder().encode(JSON.stringify(index, null, 2) + "\n"),
    );
  },
});
