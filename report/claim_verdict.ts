/**
 * What a claim check returns, the thresholds every check uses (SCIENCE.md §6, fixed before any
 * result was seen), how sub-checks combine into one configuration's verdict, and how the
 * configurations' verdicts combine into a claim's overall verdict.
 *
 * @module
 */

import type { EigenSolveFlag } from "./eigen_solves.ts";

/** A claim's overall verdict (SCIENCE.md §6). */
export type Verdict = "reproduced" | "partly reproduced" | "not reproduced" | "inconclusive";

/** One configuration's verdict: "partly" exists only across configurations. */
export type ConfigurationOutcome = "reproduced" | "not reproduced" | "inconclusive";

/** The verdict of one claim on one showcase or sweep configuration, with its numbers. */
export interface ConfigurationVerdict {
  /** The configuration: `showcase-<name>` or a sweep configuration's name. */
  config: string;
  verdict: ConfigurationOutcome;
  /** Why: the failed checks, or what could not be judged, or every passed check. */
  reason: string;
  /** The judged numbers (over the window or phase the criterion names). */
  numbers: Record<string, number | string>;
  /**
   * Figures shown beside the judged ones and never judged: the whole-run figures of claims 1–3,
   * the fit over per-N means of claim 4.
   */
  unjudged: Record<string, number | string>;
  /** Whether the configuration's runs rest on eigen-solves that did not converge. */
  eigenSolves: EigenSolveFlag;
  /** Claim 4 only: whether the runs trained enough to count (undefined: not recorded). */
  informative?: boolean;
}

/** A configuration's numbers by label (judged, or shown beside them unjudged). */
export type Numbers = ConfigurationVerdict["numbers"];

/** A computed verdict on one claim of SCIENCE.md §6, per configuration and overall. */
export interface ClaimVerdict {
  /** The claim's number in SCIENCE.md §6 (1–4). */
  id: number;
  title: string;
  /** The overall verdict over the configurations. */
  verdict: Verdict;
  /** Why, over the configurations. */
  reason: string;
  /** The test applied, in words, with its thresholds. */
  criterion: string;
  /** What the paper reports for this claim. */
  paper: string;
  /** The kind of configuration the claim is judged on. */
  appliesTo: "showcase" | "sweep";
  /** One row per configuration of that kind, in the order the profile lists them. */
  configurations: ConfigurationVerdict[];
}

/** The thresholds of the claim checks (SCIENCE.md §6). */
export interface ClaimCriteria {
  /** Claim 1: a GD run is eligible when 2/η ≤ this · the flow's peak sharpness. */
  eligibleFraction: number;
  /** Claim 1: GD's EoS window opens at its first sharpness ≥ this · 2/η. */
  windowOpenFraction: number;
  /** Claim 1: the window closes at the last time the flow's sharpness is ≥ this · 2/η. */
  windowCloseFactor: number;
  /** Claim 1: fewest GD sharpness measurements inside the window to judge the run. */
  minWindowMeasurements: number;
  /** Claim 1: the median GD sharpness in the window must lie within ±this · 2/η of 2/η. */
  eosBand: number;
  /** Claim 1: GD leaves the flow if |L_GD − L_flow| / L_flow reaches this after the window opens. */
  departureGap: number;
  /** Claim 1: a rise of EE's loss between steps larger than this (relative) breaks monotonicity. */
  monotoneTolerance: number;
  /** Claim 1: EE follows the flow if its largest relative loss gap to the RK4 flow is ≤ this. */
  flowGap: number;
  /** Claim 1: EE's peak sharpness must exceed this · the smallest eligible 2/η. */
  uncappedFactor: number;
  /** Claim 2: peak / initial sharpness along EE must reach this. */
  sharpeningRatio: number;
  /** Claim 2: mean λ¹(G)/λ¹(ℋ) over the sharpening phase must lie in [low, high]. */
  gaussNewtonRatioLow: number;
  gaussNewtonRatioHigh: number;
  /** Claim 2: λ¹(G¹¹) must be the largest block at this fraction of the phase's measurements. */
  firstLayerFraction: number;
  /** Claim 3: alignment at t★ / alignment at t = 0 must reach this. */
  alignmentRise: number;
  /** Claim 3: Spearman correlation of alignment with sharpness over the phase must reach this. */
  minCorrelation: number;
  /** Claim 3: fewest measurements (alignment and sharpness) in the sharpening phase. */
  minPhaseMeasurements: number;
  /** Claim 4: fewest distinct dataset sizes per configuration. */
  minSizes: number;
  /** Claim 4: the largest size over the smallest must reach this. */
  minSizeSpan: number;
  /** Claim 4: fewest seeds at every size. */
  minSeeds: number;
  /** Claim 4: the lowest R² the paper reports; the fit over per-seed points must reach it. */
  minR2: number;
  /** Claim 4: informative if the median |ln(final/initial alignment)| ≥ ln(this). */
  informativeAlignmentChange: number;
  /** Claim 4: informative if the median run took ≥ this many steps. */
  informativeSteps: number;
}

/** SCIENCE.md §6's defaults. */
export const DEFAULT_CRITERIA: ClaimCriteria = {
  eligibleFraction: 0.9,
  windowOpenFraction: 0.9,
  windowCloseFactor: 1.1,
  minWindowMeasurements: 10,
  eosBand: 0.1,
  departureGap: 0.1,
  monotoneTolerance: 1e-5,
  flowGap: 0.02,
  uncappedFactor: 1.1,
  sharpeningRatio: 1.5,
  gaussNewtonRatioLow: 0.9,
  gaussNewtonRatioHigh: 1.1,
  firstLayerFraction: 0.8,
  alignmentRise: 1.1,
  minCorrelation: 0.5,
  minPhaseMeasurements: 5,
  minSizes: 5,
  minSizeSpan: 16,
  minSeeds: 3,
  minR2: 0.74,
  informativeAlignmentChange: 1.1,
  informativeSteps: 100,
};

/** One sub-check: passed (true), failed (false) or could not be made (undefined), and why. */
export interface Check {
  ok: boolean | undefined;
  reason: string;
}

/**
 * Combines one configuration's sub-checks: any failure → not reproduced (a definite
 * counter-example outweighs missing data); else any check that could not be made →
 * inconclusive; else reproduced. The reason lists the failures, or what is missing, or every
 * passed check.
 */
export function combineChecks(checks: Check[]): { verdict: ConfigurationOutcome; reason: string } {
  if (checks.length === 0) return { verdict: "inconclusive", reason: "nothing to check" };
  const failed = checks.filter((c) => c.ok === false);
  const missing = checks.filter((c) => c.ok === undefined);
  if (failed.length > 0) {
    return { verdict: "not reproduced", reason: failed.map((c) => c.reason).join("; ") };
  }
  if (missing.length > 0) {
    return { verdict: "inconclusive", reason: missing.map((c) => c.reason).join("; ") };
  }
  return { verdict: "reproduced", reason: checks.map((c) => c.reason).join("; ") };
}

/**
 * The overall verdict of a claim from its configurations' verdicts (SCIENCE.md §6): inconclusive
 * configurations do not count; reproduced if it holds in every informative configuration, not
 * reproduced if it fails in every one, partly reproduced if both; inconclusive if none is
 * informative (or there is no configuration).
 */
export function overallVerdict(
  rows: ConfigurationVerdict[],
  kind: "showcase" | "sweep",
): { verdict: Verdict; reason: string } {
  if (rows.length === 0) return { verdict: "inconclusive", reason: `no ${kind} configuration` };
  const names = (v: ConfigurationOutcome) =>
    rows.filter((r) => r.verdict === v).map((r) => r.config);
  const held = names("reproduced"), failed = names("not reproduced");
  const open = names("inconclusive");
  const rest = open.length ? `; inconclusive in ${open.join(", ")}` : "";
  if (held.length === 0 && failed.length === 0) {
    return {
      verdict: "inconclusive",
      reason: `no informative configuration (${
        rows.map((r) => `${r.config}: ${r.reason}`).join("; ")
      })`,
    };
  }
  if (failed.length === 0) {
    return { verdict: "reproduced", reason: `holds in ${held.join(", ")}${rest}` };
  }
  if (held.length === 0) {
    return { verdict: "not reproduced", reason: `fails in ${failed.join(", ")}${rest}` };
  }
  return {
    verdict: "partly reproduced",
    reason: `holds in ${held.join(", ")}; fails in ${failed.join(", ")}${rest}`,
  };
}

/** A number rounded to 4 significant digits, for reasons and tables. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
