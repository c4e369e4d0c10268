/**
 * The power law of SCIENCE.md §5: final aggregated alignment ā against dataset size N, fitted as
 * ln ā = ln c + β ln N by ordinary least squares, both over every (N, seed) point and over the
 * per-N means (the arithmetic mean of ā over seeds, then its log), with a seeded bootstrap
 * (resampling points with replacement) percentile 95% interval for β.
 *
 * @module
 */
import { Rng } from "../../util/rng.ts";
import { quantile } from "../../util/stats.ts";

/** One trained run: its dataset size, final aggregated alignment and seed. */
export interface PowerLawPoint {
  n: number;
  alignment: number;
  seed?: number;
}

/** An OLS line y = intercept + slope·x with its fit statistics. */
export interface OlsLine {
  slope: number;
  intercept: number;
  /** 1 − SS_res/SS_tot (NaN when every y is equal). */
  r2: number;
  /** yᵢ − (intercept + slope·xᵢ), in input order. */
  residuals: number[];
}

/** A fitted power law ā = c·N^β. */
export interface PowerLawFit {
  beta: number;
  /** c = e^{intercept}. */
  c: number;
  r2: number;
  /** Residuals of ln ā, in the order of the fitted points. */
  residuals: number[];
  /** Bootstrap percentile 95% interval of β. */
  betaCi95: [number, number];
  /** Number of points fitted. */
  points: number;
}

/** Both fits, and the bootstrap settings used (for manifests). */
export interface PowerLawResult {
  perSeed: PowerLawFit;
  perNMean: PowerLawFit;
  /** The distinct N, ascending, and the mean ā at each (the per-N points). */
  means: { n: number; alignment: number }[];
  bootstrap: { resamples: number; seed: number };
}

/** Options of {@linkcode fitPowerLaw}. */
export interface PowerLawOptions {
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Bootstrap seed (default 0). */
  seed?: number;
}

/** Ordinary least squares of y on x (needs ≥ 2 distinct x). */
export function olsLine(x: readonly number[], y: readonly number[]): OlsLine {
  if (x.length !== y.length) throw new Error(`ols: ${x.length} x values but ${y.length} y values`);
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  if (!(sxx > 0)) throw new Error("ols: x needs at least 2 distinct values");
  const slope = sxy / sxx, intercept = my - slope * mx;
  const residuals = x.map((v, i) => y[i] - (intercept + slope * v));
  const ssRes = residuals.reduce((s, r) => s + r * r, 0);
  return { slope, intercept, r2: syy > 0 ? 1 - ssRes / syy : NaN, residuals };
}

/** Fits ā = c·N^β over per-seed points and over per-N means (SCIENCE.md §5). */
export function fitPowerLaw(
  points: readonly PowerLawPoint[],
  options: PowerLawOptions = {},
): PowerLawResult {
  points.forEach((p, i) => {
    if (!(p.n > 0) || !Number.isFinite(p.n)) {
      throw new Error(`power law: point ${i} has N = ${p.n}; N must be a positive number`);
    }
    if (!(p.alignment > 0) || !Number.isFinite(p.alignment)) {
      throw new Error(
        `power law: point ${i} (N = ${p.n}) has alignment ${p.alignment}; it must be > 0`,
      );
    }
  });
  const distinct = [...new Set(points.map((p) => p.n))].sort((a, b) => a - b);
  if (distinct.length < 3) {
    throw new Error(
      `power law: needs ≥ 3 distinct dataset sizes N, got ${distinct.length} ([${distinct}])`,
    );
  }
  const resamples = options.resamples ?? 2000, seed = options.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw new Error(`power law: resamples must be an integer ≥ 100, got ${resamples}`);
  }
  const means = distinct.map((n) => {
    const group = points.filter((p) => p.n === n);
    return { n, alignment: group.reduce((s, p) => s + p.alignment, 0) / group.length };
  });
  return {
    perSeed: fitLogLog(points.map((p) => p.n), points.map((p) => p.alignment), resamples, seed),
    perNMean: fitLogLog(means.map((m) => m.n), means.map((m) => m.alignment), resamples, seed),
    means,
    bootstrap: { resamples, seed },
  };
}

function fitLogLog(ns: number[], as: number[], resamples: number, seed: number): PowerLawFit {
  const x = ns.map(Math.log), y = as.map(Math.log);
  const line = olsLine(x, y);
  return {
    beta: line.slope,
    c: Math.exp(line.intercept),
    r2: line.r2,
    residuals: line.residuals,
    betaCi95: bootstrapSlopeInterval(x, y, resamples, seed),
    points: x.length,
  };
}

/** Percentile 95% interval of the OLS slope over resamples of the points with replacement. */
function bootstrapSlopeInterval(
  x: number[],
  y: number[],
  resamples: number,
  seed: number,
): [number, number] {
  const rng = new Rng(seed);
  const slopes: number[] = [];
  const bx = new Array<number>(x.length), by = new Array<number>(x.length);
  while (slopes.length < resamples) {
    for (let i = 0; i < x.length; i++) {
      const j = rng.int(x.length);
      bx[i] = x[j];
      by[i] = y[j];
    }
    // A resample with a single distinct N has no slope; draw again.
    if (bx.every((v) => v === bx[0])) continue;
    slopes.push(olsLine(bx, by).slope);
  }
  return [quantile(slopes, 0.025), quantile(slopes, 0.975)];
}
