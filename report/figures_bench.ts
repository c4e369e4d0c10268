/**
 * Render time per figure at a realistic size (`./deno bench -A report/`): four runs of 5000
 * steps each, 500 measurements along EE, and a power-law sweep of 3 configurations × 6 sizes ×
 * 3 seeds. Each iteration builds the spec and renders it to SVG and PNG (scale 2), no file I/O.
 */
import * as F from "./figures.ts";
import { powerLawFigure } from "./figure_power_law.ts";
import { renderSpec, type VegaLiteSpec } from "./render.ts";
import { flowRun, gdRun } from "./fixtures_test_support.ts";
import type { FitRow, SweepPoint } from "./tables.ts";

const ee = flowRun("ee", "ee", 100, 0.02, 10);
const runs = [
  ee,
  flowRun("flow", "flow", 100, 0.02, 10),
  gdRun(0.2, 1000, 10),
  gdRun(0.15, 750, 10),
];
const configs = ["fmnist-mse", "fmnist-ce", "mnist-mse"];
const points: SweepPoint[] = configs.flatMap((config) =>
  [64, 128, 256, 512, 1024, 2048].flatMap((N) =>
    [0, 1, 2].map((seed) => ({ config, N, seed, alignment: 0.05 * N ** 0.3 * (1 + 0.05 * seed) }))
  )
);
const fits: FitRow[] = configs.flatMap((config) =>
  (["seeds", "means"] as const).map((over) => ({
    config,
    over,
    beta: 0.3,
    beta_ci_low: 0.25,
    beta_ci_high: 0.35,
    c: 0.05,
    r2: 0.9,
    points: over === "seeds" ? 18 : 6,
  }))
);
const builders: [string, () => VegaLiteSpec][] = [
  ["F1 loss", () => F.lossFigure(runs)],
  ["F2 sharpness", () => F.sharpnessFigure(runs)],
  ["F3 curvature", () => F.curvatureFigure(ee)],
  ["F4 layer blocks", () => F.layerBlocksFigure(ee)],
  ["F5 gains and alignment", () => F.alignmentFactorsFigure(ee)],
  ["F6 layer alignment", () => F.layerAlignmentFigure(ee)],
  ["F7 power law", () => powerLawFigure(points, fits)],
];
for (const [name, build] of builders) {
  Deno.bench(name, async () => {
    await renderSpec(build());
  });
}
