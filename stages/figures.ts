/**
 * Stage `figures`: F1–F6 per showcase configuration (`F1-<name>` …), F7 over the sweep (each as
 * Vega-Lite spec, SVG and PNG) and the fit table T1. It reads results only, so
 * `deno task figures` re-renders without retraining.
 *
 * @module
 */
import { allOf, defineStage, integer, list, string } from "../pipeline/mod.ts";
import { figureIds, renderFigureSet } from "../report/mod.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { readFits, readShowcases } from "./results.ts";

/** Renders every figure; a figure without data is an error naming it. */
export const figuresStage = defineStage({
  name: "figures",
  module: import.meta.url,
  params: {
    scale: integer({ min: 1, max: 4, default: 2 }),
    /** The showcase configurations (`showcase-<name>`), which name the figures' files. */
    showcases: list(string(), { default: [] }),
  },
  partialInputs: true, // draws what finished; the report names what failed
  inputs: () => ({ showcase: allOf("train", { kind: "showcase" }), fits: allOf("fit") }),
  // On a cluster: one core and 2G (figures render in seconds);
  // 30 min bounds a hung job.
  resources: { cores: 1, memory: "2G", timeLimit: "0:30:00" },
  outputs: (p) => [
    ...figureIds(p.showcases).flatMap((id) => [`${id}.vl.json`, `${id}.svg`, `${id}.png`]),
    "T1.md",
    "T1.html",
    "figures.json",
  ],
  run: async (ctx) => {
    const showcases = await readShowcases(ctx.inputList("showcase"));
    const found = showcases.map((s) => s.config);
    if (JSON.stringify(found) !== JSON.stringify(ctx.params.showcases)) {
      throw new Error(
        `showcases: the parameter lists ${ctx.params.showcases.join(", ") || "none"} but the ` +
          `train stage has ${found.join(", ") || "none"}`,
      );
    }
    const { points, fits } = await readFits(ctx.inputList("fits"));
    const set = await renderFigureSet(ctx.outDir, { showcases, points, fits }, {
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
