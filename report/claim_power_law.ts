/**
 * Claim 4 (SCIENCE.md §6.4), per sweep configuration: the final mean alignment grows with the
 * dataset size N as a power law ā = c·N^β.
 *
 * A configuration is judged only when its design can show a power law (≥ 5 sizes spanning ≥ 16×,
 * ≥ 3 seeds at every size) and its runs trained (informative: the median over its runs of
 * |ln(final/initial mean alignment)| is ≥ ln 1.1 and the median run took ≥ 100 steps); otherwise
 * it is inconclusive with the reason and those numbers, and does not count. A judged
 * configuration holds when the fit over per-seed points has its 95% bootstrap interval of β
 * above 0 and R² ≥ 0.74 (the paper's lowest; a higher R² still holds). The fit over per-N means
 * is shown beside it, unjudged.
 *
 * @module
 */
import {
  type ClaimCriteria,
  type ClaimVerdict,
  type ConfigurationVerdict,
  fmt,
  type Numbers,
  overallVerdict,
} from "./claim_verdict.ts";
import { eigenSolveFlag } from "./eigen_solves.ts";
import type { FitRow, SweepPoint } from "./tables.ts";
import { median } from "../util/stats.ts";

/** Whether a configuration's runs trained (claim 4's informative rule). */
export interface Informativeness {
  /** Median over runs of |ln(final/initial mean alignment)| (undefined: not recorded). */
  medianLogChange: number | undefined;
  /** Median over runs of the steps taken (undefined: not recorded). */
  medianSteps: number | undefined;
  /** Both medians reach their thresholds; undefined when either is not recorded for every run. */
  informative: boolean | undefined;
}

/** Claim 4's informative rule over one configuration's points. */
export function informativeness(points: SweepPoint[], c: ClaimCriteria): Informativeness {
  const changes = points.map((p) =>
    p.initialAlignment !== undefined && p.initialAlignment > 0
      ? Math.abs(Math.log(p.alignment / p.initialAlignment))
      : undefined
  );
  const steps = points.map((p) => p.steps);
  const all = (xs: (number | undefined)[]): xs is number[] =>
    xs.length > 0 && xs.every((x) => x !== undefined && Number.isFinite(x));
  const medianLogChange = all(changes) ? median(changes) : undefined;
  const medianSteps = all(steps) ? median(steps) : undefined;
  return {
    medianLogChange,
    medianSteps,
    informative: medianLogChange === undefined || medianSteps === undefined
      ? undefined
      : medianLogChange >= Math.log(c.informativeAlignmentChange) &&
        medianSteps >= c.informativeSteps,
  };
}

/** The design's numbers, and what it lacks to show a power law. */
function designGaps(own: SweepPoint[], c: ClaimCriteria, n: Numbers): string[] {
  const sizes = [...new Set(own.map((p) => p.N))].sort((a, b) => a - b);
  const seedsPer = sizes.map((N) => new Set(own.filter((p) => p.N === N).map((p) => p.seed)).size);
  const span = sizes.length ? sizes.at(-1)! / sizes[0] : 0;
  const fewestSeeds = seedsPer.length ? Math.min(...seedsPer) : 0;
  n["dataset sizes"] = sizes.join(", ") || "none";
  n["size span (largest / smallest)"] = span;
  n["seeds at each size (fewest)"] = fewestSeeds;
  const gaps: string[] = [];
  if (sizes.length < c.minSizes) gaps.push(`${sizes.length} sizes (needs ${c.minSizes})`);
  if (span < c.minSizeSpan) gaps.push(`sizes span ${fmt(span)}× (needs ${c.minSizeSpan}×)`);
  if (fewestSeeds < c.minSeeds) gaps.push(`${fewestSeeds} seeds at a size (needs ${c.minSeeds})`);
  return gaps;
}

function stopReasons(own: SweepPoint[]): string {
  const counts = new Map<string, number>();
  for (const p of own) {
    const r = p.stopReason ?? "not recorded";
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return [...counts].map(([r, k]) => `${r}: ${k}`).join(", ");
}

/** Claim 4 on one sweep configuration. */
export function checkPowerLawConfiguration(
  config: string,
  points: SweepPoint[],
  fits: FitRow[],
  c: ClaimCriteria,
): ConfigurationVerdict {
  const own = points.filter((p) => p.config === config);
  const numbers: Numbers = {}, unjudged: Numbers = {};
  const gaps = designGaps(own, c, numbers);
  numbers["runs"] = own.length;
  numbers["runs stopped by"] = stopReasons(own) || "none";
  const info = informativeness(own, c);
  numbers["median |ln(final/initial alignment)|"] = info.medianLogChange ?? "not recorded";
  numbers["median steps"] = info.medianSteps ?? "not recorded";
  gaps.push(...uninformative(info, c));
  const fit = configurationFit(config, fits, numbers, unjudged, gaps);
  const row = (outcome: { verdict: ConfigurationVerdict["verdict"]; reason: string }) => ({
    config,
    ...outcome,
    numbers,
    unjudged,
    eigenSolves: eigenSolveFlag(own.map((p) => p.eigenSolves)),
    ...(info.informative !== undefined ? { informative: info.informative } : {}),
  });
  if (gaps.length > 0 || !fit) return row({ verdict: "inconclusive", reason: gaps.join("; ") });
  return row(fitVerdict(fit, c));
}

/** Why the runs do not count (not recorded, or not informative); empty when they do. */
function uninformative(info: Informativeness, c: ClaimCriteria): string[] {
  if (info.informative === undefined) {
    return ["the initial alignment or the steps of its runs are not recorded"];
  }
  if (info.informative) return [];
  return [
    `not informative: median |ln(final/initial alignment)| ${fmt(info.medianLogChange!)} ` +
    `(needs ≥ ln ${c.informativeAlignmentChange} = ${
      fmt(Math.log(c.informativeAlignmentChange))
    }), ` +
    `median steps ${fmt(info.medianSteps!)} (needs ≥ ${c.informativeSteps})`,
  ];
}

/**
 * The configuration's fit over per-seed points, its numbers recorded (the fit over per-N means
 * beside them, unjudged); a missing fit or one with non-finite numbers adds to `gaps`.
 */
function configurationFit(
  config: string,
  fits: FitRow[],
  numbers: Numbers,
  unjudged: Numbers,
  gaps: string[],
): FitRow | undefined {
  const means = fits.find((f) => f.config === config && f.over === "means");
  if (means) {
    unjudged["β over per-N means"] = means.beta;
    unjudged["R² over per-N means"] = means.r2;
  }
  const fit = fits.find((f) => f.config === config && f.over === "seeds");
  if (!fit) {
    gaps.push("no fit over per-seed points");
    return undefined;
  }
  numbers["β (per-seed fit)"] = fit.beta;
  numbers["β 95% interval"] = `[${fmt(fit.beta_ci_low)}, ${fmt(fit.beta_ci_high)}]`;
  numbers["R² (per-seed fit)"] = fit.r2;
  numbers["points"] = fit.points;
  if (![fit.beta, fit.beta_ci_low, fit.r2].every(Number.isFinite)) {
    gaps.push("β, its interval or R² is not finite");
  }
  return fit;
}

/** A judged configuration: β's interval above 0 and R² at least the paper's lowest. */
function fitVerdict(
  f: FitRow,
  c: ClaimCriteria,
): { verdict: ConfigurationVerdict["verdict"]; reason: string } {
  const grows = f.beta_ci_low > 0, fitsWell = f.r2 >= c.minR2;
  const what = `β = ${fmt(f.beta)} [${fmt(f.beta_ci_low)}, ${fmt(f.beta_ci_high)}], ` +
    `R² = ${fmt(f.r2)}`;
  if (grows && fitsWell) return { verdict: "reproduced", reason: what };
  const why = [
    ...(grows ? [] : ["β's interval is not above 0"]),
    ...(fitsWell ? [] : [`R² < ${c.minR2}`]),
  ];
  return { verdict: "not reproduced", reason: `${what}: ${why.join(", ")}` };
}

/** Claim 4 over every sweep configuration (those of the points, then any other fit's). */
export function checkClaimPowerLaw(
  points: SweepPoint[],
  fits: FitRow[],
  c: ClaimCriteria,
): ClaimVerdict {
  const configs = [...new Set([...points.map((p) => p.config), ...fits.map((f) => f.config)])];
  const configurations = configs.map((config) =>
    checkPowerLawConfiguration(config, points, fits, c)
  );
  return {
    id: 4,
    title: "Final alignment grows with dataset size as a power law",
    criterion: `each sweep configuration with ≥ ${c.minSizes} dataset sizes spanning ≥ ` +
      `${c.minSizeSpan}× and ≥ ${c.minSeeds} seeds at each, informative (median over its runs ` +
      `of |ln(final/initial mean alignment)| ≥ ln ${c.informativeAlignmentChange} and median ` +
      `steps ≥ ${c.informativeSteps}; otherwise it does not count): the fit of ln ā = ln c + ` +
      `β ln N over per-seed points has its 95% bootstrap interval of β above 0 and R² ≥ ${c.minR2}`,
    paper: "ā ∝ N^β with R² between 0.74 and 0.98 across configurations (abstract)",
    appliesTo: "sweep",
    configurations,
    ...overallVerdict(configurations, "sweep"),
  };
}
