/**
 * The presentation layer of the reproduction: figures, claim verdicts and the report. It reads
 * plain row objects, never the science code, so it can be tested and re-run on its own.
 *
 * ## Table contracts (what the stages hand over)
 *
 * A **showcase** is `{config, runs}` ({@linkcode ShowcaseTables}): a configuration named
 * `showcase-<name>` and its runs from one init. A **run** is `{run, solver, eta?, trajectory,
 * measurements, eigenSolves?}` ({@linkcode RunTables}):
 * - `run`: a name unique in its showcase; `solver`: `"ee" | "gd" | "agd" | "flow"`; `eta`: the
 *   step size, required for `"gd"` (F2's 2/η rule and claim 1's EoS window).
 * - `trajectory`: one row per training step `{step, t, loss, accuracy?, dt?}`, t being
 *   gradient-flow time.
 * - `measurements`: one row per measurement `{step, t, loss?, sharpness?, lambda_G?, lambda_H?,
 *   lambda_G_layer_1 … lambda_G_layer_L?, align_mean?, align_geomean?, align_frob_mean?,
 *   align_j0_mean?, s1_norm_mean?, gain_product_mean?, alpha_1 … alpha_{L−1}?}`.
 *   Missing, null or non-finite cells are skipped (sharpness-only rows are fine); a figure whose
 *   every column is missing throws an error naming the figure and the columns; a claim that lacks
 *   them is "inconclusive" in that configuration.
 * - `eigenSolves`: `{count, unconverged, worstRelativeResidual}` from the run's summary, if
 *   recorded (a configuration with unconverged solves is flagged beside its verdicts).
 *
 * **Power-law points** `{config, N, seed, alignment, initialAlignment?, steps?, stopReason?,
 * eigenSolves?}` ({@linkcode SweepPoint}, one per sweep run) and **fits** `{config, over: "seeds" |
 * "means", beta, beta_ci_low, beta_ci_high, c, r2, points}` ({@linkcode FitRow}) for
 * ln ā = ln c + β ln N.
 *
 * ## Use
 * ```ts ignore
 * // F1–F6 per showcase (F1-<name> …), F7, T1.md, T1.html; figures lacking data are in `missing`.
 * const set = await renderFigureSet("artifacts/figures", { showcases, points, fits });
 * const claims = evaluateClaims({ showcases, points, fits }); // SCIENCE.md §6, per configuration
 * await writeReport("artifacts/report", { claims, figures: set.figures,
 *   missingFigures: set.missing, fitTable: set.fitTable, deviations, artifacts, manifests });
 * const seen = await inspectPageInChromium("artifacts/report/index.html"); // errors, images
 * // One figure: a builder gives the Vega-Lite spec, renderFigure writes .vl.json, .svg, .png.
 * await renderFigure(sharpnessFigure(runs), "artifacts/figures", "F2-xor");
 * ```
 * F1 and F2 take a showcase's runs; F3–F6 its EE run; F7 the points and fits.
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
  layerAlignmentFigure,
  layerBlocksFigure,
  lossFigure,
  MissingDataError,
  sharpnessFigure,
} from "./figures.ts";
export { fitLabel, powerLawFigure, powerLawPanel } from "./figure_power_law.ts";
export { escapeHtml, fitTable } from "./fit_table.ts";
export {
  figureIds,
  type FigureSet,
  type FigureSetInput,
  type MissingFigure,
  renderFigureSet,
  SHOWCASE_FIGURE_IDS,
  showcaseName,
} from "./figure_set.ts";
export {
  type ClaimCriteria,
  type ClaimInputs,
  type ClaimVerdict,
  type ConfigurationOutcome,
  type ConfigurationVerdict,
  DEFAULT_CRITERIA,
  evaluateClaims,
  overallVerdict,
  type Verdict,
} from "./claims.ts";
export {
  asEigenSolveRecord,
  type EigenSolveFlag,
  eigenSolveFlag,
  type EigenSolveRecord,
} from "./eigen_solves.ts";
export { openEosWindows } from "./eos_window.ts";
export { informativeness } from "./claim_power_law.ts";
export { type ReportFigure, type ReportInput, type ReportLink, writeReport } from "./report.ts";
export {
  type BrowserOptions,
  inspectPageInChromium,
  type PageInspection,
} from "./browser_check.ts";
export {
  type FitRow,
  formatStep,
  type MeasurementTableRow,
  runLabel,
  type RunTables,
  type ShowcaseTables,
  type SolverName,
  SOLVERS,
  type SweepPoint,
  type TrajectoryTableRow,
  validateRuns,
  validateShowcases,
} from "./tables.ts";
