/**
 * F7, the power-law figure: final mean alignment against dataset size, one log-log panel per sweep
 * configuration, with the fitted lines; a configuration that is not informative (claim 4,
 * SCIENCE.md §6.4) says so in its panel's title.
 *
 * @module
 */
import type { VegaLiteSpec } from "./render.ts";
import { type ClaimCriteria, DEFAULT_CRITERIA, fmt } from "./claim_verdict.ts";
import { informativeness } from "./claim_power_law.ts";
import { type FigureOptions, requireData } from "./figures.ts";
import type { FitRow, SweepPoint } from "./tables.ts";
import { mean } from "../util/stats.ts";

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
 * its runs did not train enough to count (with the two medians the rule compares, on a second
 * line: the title is split at "\n").
 */
export function powerLawPanel(config: string, points: SweepPoint[], c: ClaimCriteria): string {
  const info = informativeness(points.filter((p) => p.config === config), c);
  return info.informative === false
    ? `${config}: NOT INFORMATIVE\n(median |ln(final/initial)| ${
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
  validatePowerLawRows(points, fits);
  requireData(points, "F7", "no power-law points");
  const data = powerLawValues(points, fits, opts.criteria ?? DEFAULT_CRITERIA);
  const { x, y } = logAxes();
  const color = seriesColor(data.fitLabels);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "F7 · Final alignment vs dataset size (log-log) with power-law fits",
    data: { values: data.values },
    facet: {
      field: "panel",
      type: "nominal",
      title: null,
      sort: data.panels,
      header: { labelExpr: "split(datum.value, '\\n')", labelLimit: 0 },
    },
    columns: Math.min(data.panels.length, 3),
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

/** Every point's configuration is a string and its N and alignment positive; fits say `over`. */
function validatePowerLawRows(points: SweepPoint[], fits: FitRow[]): void {
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
}

/** F7's inline data: per configuration, its seeds, its per-N means and each fit's two ends. */
function powerLawValues(points: SweepPoint[], fits: FitRow[], criteria: ClaimCriteria) {
  const values: Record<string, unknown>[] = [];
  const fitLabels: string[] = [];
  const panels: string[] = [];
  for (const config of new Set(points.map((p) => p.config))) {
    const own = points.filter((p) => p.config === config);
    const panel = powerLawPanel(config, own, criteria);
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
  return { values, fitLabels, panels };
}

/** The colour of each series: grey seeds, black means, one colour per fitted line. */
function seriesColor(fitLabels: string[]) {
  return {
    field: "series",
    type: "nominal",
    title: null,
    scale: {
      domain: [SEED_SERIES, MEAN_SERIES, ...fitLabels],
      range: ["#a0a0a0", "#000000", ...fitLabels.map((_, i) => FIT_COLORS[i % FIT_COLORS.length])],
    },
    legend: { orient: "bottom", direction: "vertical", labelLimit: 600 },
  } as const;
}

/** Both axes logarithmic, without rounding their domains. */
function logAxes() {
  return {
    x: {
      field: "N",
      type: "quantitative",
      scale: { type: "log", nice: false, padding: 12 },
      title: "dataset size N",
    },
    y: {
      field: "alignment",
      type: "quantitative",
      scale: { type: "log", nice: false, padding: 12 },
      title: "final mean alignment ā",
    },
  } as const;
}
