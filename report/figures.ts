/**
 * One Vega-Lite spec builder per figure of a showcase (F1–F6). Each takes plain row objects (see
 * `tables.ts`) and returns a spec with its data inline, so a `.vl.json` file is complete on its
 * own. F7 is in `figure_power_law.ts`, the fit table T1 in `fit_table.ts`.
 *
 * @module
 */
import type { VegaLiteSpec } from "./render.ts";
import { type ClaimCriteria, DEFAULT_CRITERIA } from "./claim_verdict.ts";
import { openEosWindows } from "./eos_window.ts";
import { finiteCell, indexedColumns, runLabel, type RunTables, validateRuns } from "./tables.ts";

/** Options shared by the line-chart builders. */
export interface FigureOptions {
  /** Plot area width and height in pixels (default 560 × 320). */
  width?: number;
  height?: number;
  /** At most this many trajectory points per run are drawn (default 4000); see decimateMinMax. */
  maxPointsPerRun?: number;
  /** A line under the title, e.g. the showcase configuration the figure belongs to. */
  subtitle?: string;
  /** The claims' thresholds (F2's EoS windows, F7's informative rule); default SCIENCE.md §6's. */
  criteria?: ClaimCriteria;
}

const title = (text: string, opts: FigureOptions) =>
  opts.subtitle ? { text, subtitle: opts.subtitle } : text;

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉";
const toScript = (n: number, digits: string) =>
  String(n).split("").map((d) => digits[Number(d)]).join("");

/**
 * Thins a series to at most `maxPoints` rows by keeping, in each of maxPoints/2 equal index
 * buckets, the rows with the smallest and largest `column` (in their original order). Unlike a
 * stride, this keeps the envelope of a period-2 oscillation, which is what EoS looks like.
 */
export function decimateMinMax<T extends Record<string, unknown>>(
  rows: T[],
  column: string,
  maxPoints: number,
): T[] {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw new Error(`maxPointsPerRun: ${maxPoints} is not an integer ≥ 2`);
  }
  if (rows.length <= maxPoints) return rows;
  const buckets = Math.floor(maxPoints / 2);
  const out: T[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * rows.length) / buckets);
    const hi = Math.floor(((b + 1) * rows.length) / buckets);
    let iMin = lo, iMax = lo;
    for (let i = lo; i < hi; i++) {
      const v = finiteCell(rows[i], column) ?? NaN;
      if (v < (finiteCell(rows[iMin], column) ?? Infinity)) iMin = i;
      if (v > (finiteCell(rows[iMax], column) ?? -Infinity)) iMax = i;
    }
    out.push(rows[Math.min(iMin, iMax)]);
    if (iMin !== iMax) out.push(rows[Math.max(iMin, iMax)]);
  }
  return out;
}

interface SeriesPoint {
  series: string;
  t: number;
  value: number;
}

/** Long-format points of `columns` (column → series label) from rows; drops missing values. */
function foldColumns(
  rows: Record<string, unknown>[],
  columns: [string, string][],
  positiveOnly: boolean,
): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const row of rows) {
    const t = finiteCell(row, "t");
    if (t === undefined) continue;
    for (const [column, series] of columns) {
      const value = finiteCell(row, column);
      if (value !== undefined && (!positiveOnly || value > 0)) out.push({ series, t, value });
    }
  }
  return out;
}

/** Thrown when a figure's columns are all missing: the figure cannot be drawn from these tables. */
export class MissingDataError extends Error {
  constructor(readonly figure: string, readonly what: string) {
    super(`${figure}: no data (${what})`);
    this.name = "MissingDataError";
  }
}

/** Throws {@linkcode MissingDataError} when `points` is empty. */
export function requireData(points: unknown[], figure: string, what: string): void {
  if (points.length === 0) throw new MissingDataError(figure, what);
}

function lineChart(
  text: string,
  yTitle: string,
  values: SeriesPoint[],
  opts: FigureOptions & { logY?: boolean; seriesOrder?: string[] },
): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: title(text, opts),
    width: opts.width ?? 560,
    height: opts.height ?? 320,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: "t", type: "quantitative", title: "gradient-flow time t" },
      y: {
        field: "value",
        type: "quantitative",
        title: yTitle,
        scale: opts.logY ? { type: "log" } : { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        legend: { labelLimit: 400 },
        ...(opts.seriesOrder ? { sort: opts.seriesOrder } : {}),
      },
    },
  };
}

function singleRun(run: RunTables, figure: string): RunTables {
  validateRuns([run]);
  requireData(run.measurements, figure, `run "${run.run}" has no measurement rows`);
  return run;
}

/** F1: training loss vs flow time t for every run (EE, GD at each η, adaptive GD, the flow). */
export function lossFigure(runs: RunTables[], opts: FigureOptions = {}): VegaLiteSpec {
  validateRuns(runs);
  const values = runs.flatMap((run) =>
    foldColumns(
      decimateMinMax(
        run.trajectory as unknown as Record<string, unknown>[],
        "loss",
        opts.maxPointsPerRun ?? 4000,
      ),
      [["loss", runLabel(run)]],
      false,
    )
  );
  requireData(values, "F1", "no trajectory row has a finite loss");
  return lineChart("F1 · Training loss vs gradient-flow time", "training loss", values, {
    ...opts,
    seriesOrder: runs.map(runLabel),
  });
}

/**
 * F2: sharpness vs t for every run, with a dashed 2/η rule per GD run and, shaded in the run's
 * colour, the EoS window of each eligible GD run (claim 1: from its first sharpness ≥ 0.9·2/η to
 * the last time the flow's sharpness is ≥ 1.1·2/η).
 */
export function sharpnessFigure(runs: RunTables[], opts: FigureOptions = {}): VegaLiteSpec {
  validateRuns(runs);
  const values = runs.flatMap((run) =>
    foldColumns(run.measurements, [["sharpness", runLabel(run)]], false)
  );
  requireData(values, "F2", "no measurement row has a sharpness");
  const rules = runs.filter((r) => r.solver === "gd").map((r) => ({
    series: runLabel(r),
    threshold: 2 / (r.eta as number),
  }));
  const windows = openEosWindows(runs, opts.criteria ?? DEFAULT_CRITERIA).map((w) => ({
    series: w.label,
    t0: w.tOpen,
    t1: w.tClose,
  }));
  const color = runColor(runs.map(runLabel));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: title(
      `F2 · Sharpness λ¹(ℋ) vs t (dashed: 2/η of each GD run${
        windows.length ? "; shaded: its EoS window" : ""
      })`,
      opts,
    ),
    width: opts.width ?? 560,
    height: opts.height ?? 320,
    layer: [
      ...(windows.length === 0 ? [] : [eosWindowLayer(windows, color)]),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 1.5, clip: true },
        encoding: {
          x: { ...TIME_AXIS },
          y: { field: "value", type: "quantitative", title: "sharpness λ¹(ℋ)" },
          color,
        },
      },
      ...(rules.length === 0 ? [] : [twoOverEtaLayer(rules, color)]),
    ],
  };
}

/** F2's time axis. */
const TIME_AXIS = { field: "t", type: "quantitative", title: "gradient-flow time t" } as const;

/** F2's colour per run, in the runs' order, with line symbols in the legend. */
function runColor(order: string[]) {
  return {
    field: "series",
    type: "nominal",
    title: null,
    sort: order,
    legend: { labelLimit: 400, symbolType: "stroke", symbolOpacity: 1, symbolStrokeWidth: 2 },
  } as const;
}

/** F2's shaded EoS windows, one rectangle per GD run that has one. */
function eosWindowLayer(
  windows: { series: string; t0: number | null; t1: number | null }[],
  color: ReturnType<typeof runColor>,
) {
  return {
    data: { values: windows },
    mark: { type: "rect" as const, opacity: 0.1 },
    encoding: {
      x: { ...TIME_AXIS, field: "t0" },
      x2: { field: "t1" },
      color,
    },
  };
}

/** F2's dashed 2/η rule of each GD run. */
function twoOverEtaLayer(
  rules: { series: string; threshold: number }[],
  color: ReturnType<typeof runColor>,
) {
  return {
    data: { values: rules },
    mark: { type: "rule" as const, strokeDash: [6, 4], strokeWidth: 1.5 },
    encoding: { y: { field: "threshold", type: "quantitative" as const }, color },
  };
}

/** F3: λ¹(ℋ), λ¹(G) and λ¹(H) vs t along one (EE) run. */
export function curvatureFigure(run: RunTables, opts: FigureOptions = {}): VegaLiteSpec {
  singleRun(run, "F3");
  const columns: [string, string][] = [
    ["sharpness", "λ¹(ℋ) sharpness"],
    ["lambda_G", "λ¹(G) Gauss–Newton"],
    ["lambda_H", "λ¹(H) functional Hessian"],
  ];
  const values = foldColumns(run.measurements, columns, false);
  requireData(values, "F3", "no sharpness, lambda_G or lambda_H values");
  return lineChart(`F3 · Curvature along ${runLabel(run)}`, "top eigenvalue", values, {
    ...opts,
    seriesOrder: columns.map(([, s]) => s),
  });
}

/** F4: λ¹(Gⁿⁿ) for every layer n and λ¹(G) vs t along one run, log scale. */
export function layerBlocksFigure(run: RunTables, opts: FigureOptions = {}): VegaLiteSpec {
  singleRun(run, "F4");
  const layers = indexedColumns(run.measurements, "lambda_G_layer_");
  const columns: [string, string][] = [
    ["lambda_G", "λ¹(G)"],
    ...layers.map((n): [string, string] => [
      `lambda_G_layer_${n}`,
      `λ¹(G${toScript(n, SUPERSCRIPT)}${toScript(n, SUPERSCRIPT)}) layer ${n}`,
    ]),
  ];
  const values = foldColumns(run.measurements, columns, true);
  requireData(values, "F4", "no positive lambda_G or lambda_G_layer_n values");
  return lineChart(
    `F4 · Per-layer Gauss–Newton blocks along ${runLabel(run)}`,
    "top eigenvalue (log scale)",
    values,
    { ...opts, logY: true, seriesOrder: columns.map(([, s]) => s) },
  );
}

/** F5: mean ‖S¹‖₂, mean Π‖Jⁿ‖₂ and mean alignment vs t along one run, log scale. */
export function alignmentFactorsFigure(run: RunTables, opts: FigureOptions = {}): VegaLiteSpec {
  singleRun(run, "F5");
  const columns: [string, string][] = [
    ["s1_norm_mean", "mean ‖S¹‖₂ (sensitivity)"],
    ["gain_product_mean", "mean Π‖Jⁿ‖₂ (layer gains)"],
    ["align_mean", "mean alignment a"],
  ];
  const values = foldColumns(run.measurements, columns, true);
  requireData(values, "F5", "no positive s1_norm_mean, gain_product_mean or align_mean values");
  return lineChart(
    `F5 · Sensitivity = layer gains × alignment, along ${runLabel(run)}`,
    "value (log scale)",
    values,
    { ...opts, logY: true, seriesOrder: columns.map(([, s]) => s) },
  );
}

/** F6: the per-layer alignment factors αₙ vs t along one run. */
export function layerAlignmentFigure(run: RunTables, opts: FigureOptions = {}): VegaLiteSpec {
  singleRun(run, "F6");
  const columns = indexedColumns(run.measurements, "alpha_").map((n): [string, string] => [
    `alpha_${n}`,
    `α${toScript(n, SUBSCRIPT)}`,
  ]);
  const values = foldColumns(run.measurements, columns, false);
  requireData(values, "F6", "no alpha_n values");
  return lineChart(
    `F6 · Per-layer alignment factors along ${runLabel(run)}`,
    "alignment factor αₙ",
    values,
    { ...opts, seriesOrder: columns.map(([, s]) => s) },
  );
}
