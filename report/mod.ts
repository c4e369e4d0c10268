/**
 * The presentation layer of the reproduction: figures, claim verdicts and the report. It reads
 * plain row objects, never the science code, so it can be tested and re-run on its own.
 *
 * ## Table contracts (what the stages hand over)
 *
 * A **run** is `{run, solver, eta?, trajectory, measurements}` ({@linkcode RunTables}):
 * - `run`: a unique name; `solver`: `"ee" | "gd" | "agd" | "flow"`; `eta`: the step size,
 *   required for `"gd"` (F2's 2/η rule and claim 1's EoS test).
 * - `trajectory`: one row per training step `{step, t, loss, accuracy?, dt?}`, t being
 *   gradient-flow time.
 * - `measurements`: one row every M steps `{step, t, loss?, sharpness?, lambda_G?, lambda_H?,
 *   lambda_G_layer_1 … lambda_G_layer_L?, align_mean?, align_geomean?, align_frob_mean?,
 *   align_j0_mean?, s1_norm_mean?, gain_product_mean?, alpha_1 … alpha_{L−1}?}`.
 *   Missing, null or non-finite cells are skipped; a figure whose every column is missing throws
 *   an error naming the figure and the columns; a claim that lacks them is "inconclusive".
 *
 * **Power-law points** `{config, N, seed, alignment}` ({@linkcode SweepPoint}) and **fits**
 * `{config, over: "seeds" | "means", beta, beta_ci_low, beta_ci_high, c, r2, points}`
 * ({@linkcode FitRow}) for ln ā = ln c + β ln N.
 *
 * ## Use
 * ```ts
 * // All of F1–F7 (+ T1.md, T1.html) at once; figures that lack data are listed in `missing`.
 * const set = await renderFigureSet("artifacts/figures", { runs, points, fits });
 * const claims = evaluateClaims({ runs, points, fits });   // claims 1–4 of SCIENCE.md §6
 * await writeReport("artifacts/report", { claims, figures: set.figures,
 *   missingFigures: set.missing, fitTable: set.fitTable, deviations, artifacts, manifests });
 * const seen = await inspectPageInChromium("artifacts/report/index.html"); // errors, images
 * // One figure: a builder gives the Vega-Lite spec, renderFigure writes .vl.json, .svg, .png.
 * await renderFigure(sharpnessFigure(runs), "artifacts/figures", "F2");
 * ```
 * F1 and F2 take every run; F3–F6 take the one EE run to show; F7 takes points and fits.
 *
 * @module
 */
export {
  dejavuFontFiles,
  FIGURE_FONT,
  type RenderedFigure,
  renderFigure,
  type RenderOptions,
  renderSpec,
  type VegaLiteSpec,
  withFigureTheme,
  type WrittenFigure,
} from "./render.ts";
export {
  alignmentFactorsFigure,
  curvatureFigure,
  decimateMinMax,
  type FigureOptions,
  fitLabel,
  layerAlignmentFigure,
  layerBlocksFigure,
  lossFigure,
  MissingDataError,
  powerLawFigure,
  sharpnessFigure,
} from "./figures.ts";
export { escapeHtml, fitTable } from "./fit_table.ts";
export {
  type FigureSet,
  type FigureSetInput,
  type MissingFigure,
  renderFigureSet,
} from "./figure_set.ts";
export {
  type ClaimCriteria,
  type ClaimInputs,
  type ClaimVerdict,
  DEFAULT_CRITERIA,
  evaluateClaims,
  type Verdict,
} from "./claims.ts";
export { type ReportFigure, type ReportInput, type ReportLink, writeReport } from "./report.ts";
export {
  type BrowserOptions,
  inspectPageInChromium,
  type PageInspection,
} from "./browser_check.ts";
export {
  type FitRow,
  type MeasurementTableRow,
  runLabel,
  type RunTables,
  type SolverName,
  SOLVERS,
  type SweepPoint,
  type TrajectoryTableRow,
  validateRuns,
} from "./tables.ts";
