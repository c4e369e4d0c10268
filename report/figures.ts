/**
 * One Vega-Lite spec builder per figure of the reproduction (issue 6: F1–F7). Each takes plain
 * row objects (see `tables.ts`) and returns a spec with its data inline, so a `.vl.json` file is
 * complete on its own. The fit table T1 is in `fit_table.ts`.
 *
 * @module
 */
import type { VegaLiteSpec } from "./render.ts";
import { type ClaimCriteria, DEFAULT_CRITERIA, fmt } from "./claim_verdict.ts";
import { openEosWindows } from "./eos_window.ts";
import { informativeness } from "./claim_power_law.ts";
import { mean } from "../util/stats.ts";
import {
  finiteCell,
  type FitRow,
  indexedColumns,
  runLabel,
  type RunTables,
  type SweepPoint,
  validateRuns,
} from "./tables.ts";

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

function requireData(points: unknown[], figure: string, what: string): void {
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
  const order = runs.map(runLabel);
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    sort: order,
    legend: { labelLimit: 400, symbolType: "stroke", symbolOpacity: 1, symbolStrokeWidth: 2 },
  } as const;
  const x = { field: "t", type: "quantitative", title: "gradient-flow time t" } as const;
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
      ...(windows.length === 0 ? [] : [{
        data: { values: windows },
        mark: { type: "rect" as const, opacity: 0.1 },
        encoding: {
          x: { ...x, field: "t0" },
          x2: { field: "t1" },
          color,
        },
      }]),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 1.5, clip: true },
        encoding: {
          x,
          y: { field: "value", type: "quantitative", title: "sharpness λ¹(ℋ)" },
          color,
        },
      },
      ...(rules.length === 0 ? [] : [{
        data: { values: rules },
        mark: { type: "rule" as const, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: "threshold", type: "quantitative" as const }, color },
      }]),
    ],
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

const SEED_SERIES = "final alignment, per seed";
const MEAN_SERIES = "mean over seeds";
const FIT_COLORS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#b279a2", "#9d755d"];

/** The legend label of a fitted line: configuration, what it was fitted over, β and R². */
export function fitLabel(fit: FitRow): string {
  return `${fit.config}: fit over ${fit.over}, β = ${fit.beta.toFixed(3)}, R² = ${
    fit.r2.toFixed(3)
  }`;
}

/**
 * The F7 panel title of a configuration: its name, marked when claim 4's informative rule says
 * its runs did not train enough to count (with the two medians the rule compares).
 */
export function powerLawPanel(config: string, points: SweepPoint[], c: ClaimCriteria): string {
  const info = informativeness(points.filter((p) => p.config === config), c);
  return info.informative === false
    ? `${config}: not informative (median |ln(final/initial)| ${
      fmt(info.medianLogChange!)
    }, median steps ${fmt(info.medianSteps!)})`
    : config;
}

/**
 * F7: final alignment vs dataset size N, log-log, one panel per configuration: per-seed points,
 * the per-N means over seeds (the points of the fit over per-N means, SCIENCE.md §5), each fitted
 * line ā = c·N^β over the configuration's N range, with β and R² in the legend. A configuration
 * that is not informative (claim 4) says so in its panel's title.
 */
export function powerLawFigure(
  points: SweepPoint[],
  fits: FitRow[],
  opts: Pick<FigureOptions, "width" | "height" | "criteria"> = {},
): VegaLiteSpec {
  points.forEach((p, i) => {
    if (typeof p.config !== "string") throw new Error(`points[${i}].config: expected a string`);
    for (const col of ["N", "alignment"] as const) {
      if (!(Number.isFinite(p[col]) && p[col] > 0)) {
        throw new Error(`points[${i}].${col}: ${p[col]} is not a positive finite number`);
      }
    }
  });
  fits.forEach((f, i) => {
    if (f.over !== "seeds" && f.over !== "means") {
      throw new Error(`fits[${i}].over: "${f.over}" is not one of seeds, means`);
    }
  });
  requireData(points, "F7", "no power-law points");
  const values: Record<string, unknown>[] = [];
  const configs = [...new Set(points.map((p) => p.config))];
  const fitLabels: string[] = [];
  const panels: string[] = [];
  for (const config of configs) {
    const own = points.filter((p) => p.config === config);
    const panel = powerLawPanel(config, own, opts.criteria ?? DEFAULT_CRITERIA);
    panels.push(panel);
    for (const p of own) {
      values.push({
        config,
        panel,
        N: p.N,
        seed: p.seed,
        alignment: p.alignment,
        kind: "seed",
        series: SEED_SERIES,
      });
    }
    for (const N of [...new Set(own.map((p) => p.N))].sort((a, b) => a - b)) {
      const alignment = mean(own.filter((p) => p.N === N).map((p) => p.alignment));
      values.push({ config, panel, kind: "mean", series: MEAN_SERIES, N, alignment });
    }
    const nMin = Math.min(...own.map((p) => p.N)), nMax = Math.max(...own.map((p) => p.N));
    for (const fit of fits.filter((f) => f.config === config)) {
      const series = fitLabel(fit);
      fitLabels.push(series);
      for (const N of [nMin, nMax]) {
        values.push({
          config,
          panel,
          kind: "fit",
          series,
          over: fit.over,
          N,
          alignment: fit.c * N ** fit.beta,
        });
      }
    }
  }
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: {
      domain: [SEED_SERIES, MEAN_SERIES, ...fitLabels],
      range: ["#a0a0a0", "#000000", ...fitLabels.map((_, i) => FIT_COLORS[i % FIT_COLORS.length])],
    },
    legend: { orient: "bottom", direction: "vertical", labelLimit: 600 },
  } as const;
  const x = {
    field: "N",
    type: "quantitative",
    scale: { type: "log", nice: false, padding: 12 },
    title: "dataset size N",
  } as const;
  const y = {
    field: "alignment",
    type: "quantitative",
    scale: { type: "log", nice: false, padding: 12 },
    title: "final mean alignment ā",
  } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "F7 · Final alignment vs dataset size (log-log) with power-law fits",
    data: { values },
    facet: {
      field: "panel",
      type: "nominal",
      title: null,
      sort: panels,
      header: { labelLimit: 320 },
    },
    columns: Math.min(configs.length, 3),
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      width: opts.width ?? 300,
      height: opts.height ?? 240,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'fit'" }],
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x,
            y,
            color,
            detail: { field: "over", type: "nominal" },
            strokeDash: {
              field: "over",
              type: "nominal",
              legend: null,
              scale: { domain: ["seeds", "means"], range: [[1, 0], [6, 4]] },
            },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'seed'" }],
          mark: { type: "point", size: 30, opacity: 0.8 },
          encoding: { x, y, color },
        },
        {
          transform: [{ filter: "datum.kind === 'mean'" }],
          mark: { type: "point", filled: true, size: 70 },
          encoding: { x, y, color },
        },
      ],
    },
  };
}
