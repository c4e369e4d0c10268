/**
 * Renders the whole set F1–F7 (and writes T1) from the tables, mapping each figure to the claims
 * it bears on, for the figures stage and the report. A figure whose columns are all missing is
 * listed as missing with the reason instead of failing the set; any other error propagates.
 *
 * @module
 */
import { join } from "@std/path";
import * as F from "./figures.ts";
import {
  DEFAULT_SCALE,
  renderFigure,
  type RenderOptions,
  type VegaLiteSpec,
  type WrittenFigure,
} from "./render.ts";
import { fitTable } from "./fit_table.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { ReportFigure } from "./report.ts";
import type { FitRow, RunTables, SweepPoint } from "./tables.ts";

/** The tables the figures are drawn from. */
export interface FigureSetInput {
  /** Every trajectory run (F1, F2). */
  runs: RunTables[];
  /** The name of the EE run shown in F3–F6 (default: the first run with solver "ee"). */
  eeRun?: string;
  /** The power-law sweep (F7, T1). */
  points: SweepPoint[];
  fits: FitRow[];
}

/** A figure that could not be drawn, and why. */
export interface MissingFigure {
  id: string;
  title: string;
  reason: string;
}

/** What {@linkcode renderFigureSet} produced. */
export interface FigureSet {
  /** The drawn figures, ready for the report. */
  figures: ReportFigure[];
  /** Per drawn figure: files, size and render time. */
  written: WrittenFigure[];
  missing: MissingFigure[];
  /** T1, also written as `T1.md` and `T1.html`. */
  fitTable: { markdown: string; html: string; markdownPath: string; htmlPath: string };
}

const CATALOGUE: [string, string, number[], (i: FigureSetInput, ee: RunTables) => VegaLiteSpec][] =
  [
    ["F1", "Training loss vs gradient-flow time", [1], (i) => F.lossFigure(i.runs)],
    ["F2", "Sharpness vs t with 2/η per GD run", [1], (i) => F.sharpnessFigure(i.runs)],
    ["F3", "λ¹(ℋ), λ¹(G), λ¹(H) along EE", [2], (_, ee) => F.curvatureFigure(ee)],
    ["F4", "Per-layer Gauss–Newton blocks along EE", [2], (_, ee) => F.layerBlocksFigure(ee)],
    [
      "F5",
      "Sensitivity, layer gains, alignment along EE",
      [3],
      (_, ee) => F.alignmentFactorsFigure(ee),
    ],
    ["F6", "Per-layer alignment factors along EE", [3], (_, ee) => F.layerAlignmentFigure(ee)],
    ["F7", "Final alignment vs dataset size", [4], (i) => F.powerLawFigure(i.points, i.fits)],
  ];

/** Renders F1–F7 into `outDir` (`F1.vl.json`, `F1.svg`, `F1.png`, …) and writes T1 there. */
export async function renderFigureSet(
  outDir: string,
  input: FigureSetInput,
  options: RenderOptions = {},
): Promise<FigureSet> {
  const ee = input.eeRun === undefined
    ? input.runs.find((r) => r.solver === "ee")
    : input.runs.find((r) => r.run === input.eeRun);
  if (input.eeRun !== undefined && !ee) {
    throw new Error(`eeRun: no run is named "${input.eeRun}"`);
  }
  const figures: ReportFigure[] = [], written: WrittenFigure[] = [], missing: MissingFigure[] = [];
  for (const [id, title, claims, build] of CATALOGUE) {
    const needsEe = ["F3", "F4", "F5", "F6"].includes(id);
    if (needsEe && !ee) {
      missing.push({ id, title, reason: "no EE run" });
      continue;
    }
    let spec: VegaLiteSpec;
    try {
      spec = build(input, ee as RunTables);
    } catch (e) {
      if (!(e instanceof F.MissingDataError)) throw e;
      missing.push({ id, title, reason: e.message });
      continue;
    }
    const w = await renderFigure(spec, outDir, id, options);
    written.push(w);
    figures.push({
      id,
      title,
      claims,
      pngPath: w.pngPath,
      svgPath: w.svgPath,
      vlPath: w.vlPath,
      displayWidth: w.width / (options.scale ?? DEFAULT_SCALE),
    });
  }
  const table = fitTable(input.fits);
  const markdownPath = join(outDir, "T1.md"), htmlPath = join(outDir, "T1.html");
  await writeFileAtomic(markdownPath, table.markdown);
  await writeFileAtomic(htmlPath, table.html);
  return { figures, written, missing, fitTable: { ...table, markdownPath, htmlPath } };
}
