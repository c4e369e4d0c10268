/**
 * Renders the whole set from the tables, mapping each figure to the claims it bears on, for the
 * figures stage and the report: F1–F6 once per showcase configuration (ids `F1-<name>` for the
 * configuration `showcase-<name>`), F7 once over the sweep, and T1. A figure whose columns are
 * all missing is listed as missing with the reason instead of failing the set; any other error
 * propagates.
 *
 * @module
 */
import { join } from "@std/path";
import * as F from "./figures.ts";
import { powerLawFigure } from "./figure_power_law.ts";
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
import {
  type FitRow,
  type RunTables,
  type ShowcaseTables,
  type SweepPoint,
  validateShowcases,
} from "./tables.ts";

/** The tables the figures are drawn from. */
export interface FigureSetInput {
  /** Every showcase configuration with its runs (F1–F6 each). */
  showcases: ShowcaseTables[];
  /** The power-law sweep (F7, T1). */
  points: SweepPoint[];
  fits: FitRow[];
}

/** A figure that could not be drawn, and why. */
export interface MissingFigure {
  id: string;
  title: string;
  reason: string;
  /** The showcase configuration it belongs to (F1–F6). */
  config?: string;
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

type Build = (runs: RunTables[], ee: RunTables, opts: F.FigureOptions) => VegaLiteSpec;

/** F1–F6: id, title, claims, whether it needs the EE run, builder. */
const SHOWCASE_FIGURES: [string, string, number[], boolean, Build][] = [
  ["F1", "Training loss vs gradient-flow time", [1], false, (r, _, o) => F.lossFigure(r, o)],
  [
    "F2",
    "Sharpness vs t with 2/η and the EoS window per GD run",
    [1],
    false,
    (r, _, o) => F.sharpnessFigure(r, o),
  ],
  ["F3", "λ¹(ℋ), λ¹(G), λ¹(H) along EE", [2], true, (_, ee, o) => F.curvatureFigure(ee, o)],
  [
    "F4",
    "Per-layer Gauss–Newton blocks along EE",
    [2],
    true,
    (_, ee, o) => F.layerBlocksFigure(ee, o),
  ],
  [
    "F5",
    "Sensitivity, layer gains, alignment along EE",
    [3],
    true,
    (_, ee, o) => F.alignmentFactorsFigure(ee, o),
  ],
  [
    "F6",
    "Per-layer alignment factors along EE",
    [3],
    true,
    (_, ee, o) => F.layerAlignmentFigure(ee, o),
  ],
];

/** The base ids of the per-showcase figures. */
export const SHOWCASE_FIGURE_IDS: readonly string[] = SHOWCASE_FIGURES.map(([id]) => id);

/** A showcase configuration's short name: `showcase-xor` → `xor`. */
export const showcaseName = (config: string): string => config.replace(/^showcase-/, "");

/** Every figure id the set draws for these showcase configurations: F1-<name> … F6-<name>, F7. */
export function figureIds(showcaseConfigs: readonly string[]): string[] {
  return [
    ...showcaseConfigs.flatMap((c) => SHOWCASE_FIGURE_IDS.map((id) => `${id}-${showcaseName(c)}`)),
    "F7",
  ];
}

/** Renders F1–F6 per showcase and F7 into `outDir` (`<id>.vl.json`, `.svg`, `.png`), and T1. */
export async function renderFigureSet(
  outDir: string,
  input: FigureSetInput,
  options: RenderOptions = {},
): Promise<FigureSet> {
  validateShowcases(input.showcases);
  const figures: ReportFigure[] = [], written: WrittenFigure[] = [], missing: MissingFigure[] = [];
  const draw = async (
    id: string,
    title: string,
    claims: number[],
    build: () => VegaLiteSpec,
    config?: string,
  ) => {
    let spec: VegaLiteSpec;
    try {
      spec = build();
    } catch (e) {
      if (!(e instanceof F.MissingDataError)) throw e;
      missing.push({ id, title, reason: e.message, ...(config ? { config } : {}) });
      return;
    }
    const w = await renderFigure(spec, outDir, id, options);
    written.push(w);
    figures.push({
      id,
      title,
      claims,
      ...(config ? { config } : {}),
      pngPath: w.pngPath,
      svgPath: w.svgPath,
      vlPath: w.vlPath,
      displayWidth: w.width / (options.scale ?? DEFAULT_SCALE),
    });
  };
  for (const { config, runs } of input.showcases) {
    const ee = runs.find((r) => r.run === "ee") ?? runs.find((r) => r.solver === "ee");
    const opts = { subtitle: config };
    for (const [base, title, claims, needsEe, build] of SHOWCASE_FIGURES) {
      const id = `${base}-${showcaseName(config)}`;
      if (needsEe && !ee) {
        missing.push({ id, title, reason: "no EE run", config });
        continue;
      }
      await draw(id, title, claims, () => build(runs, ee as RunTables, opts), config);
    }
  }
  await draw(
    "F7",
    "Final alignment vs dataset size",
    [4],
    () => powerLawFigure(input.points, input.fits),
  );
  const table = fitTable(input.fits);
  const markdownPath = join(outDir, "T1.md"), htmlPath = join(outDir, "T1.html");
  await writeFileAtomic(markdownPath, table.markdown);
  await writeFileAtomic(htmlPath, table.html);
  return { figures, written, missing, fitTable: { ...table, markdownPath, htmlPath } };
}
