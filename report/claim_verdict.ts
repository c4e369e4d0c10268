/**
 * What a claim check returns, the thresholds every check uses, and how partial checks combine
 * into one verdict.
 *
 * @module
 */

import type { RunTables } from "./tables.ts";

/** The three possible outcomes of a claim check. */
export type Verdict = "reproduced" | "not reproduced" | "inconclusive";

/** A computed verdict on one claim of SCIENCE.md §6, with the numbers behind it. */
export interface ClaimVerdict {
  /** The claim's number in SCIENCE.md §6 (1–4). */
  id: number;
  title: string;
  verdict: Verdict;
  /** Why: the failed or missing checks, or a summary of the passed ones. */
  reason: string;
  /** The test applied, in words, with its thresholds. */
  criterion: string;
  /** The measured numbers (and, as strings, which runs or configurations they came from). */
  numbers: Record<string, number | string>;
  /** What the paper reports for this claim. */
  paper: string;
}

/** The thresholds of the claim checks. Each is documented where it is used (claims.ts). */
export interface ClaimCriteria {
  /** Claim 1: EoS is entered at the first measurement with sharpness ≥ this · 2/η. */
  eosCrossingFraction: number;
  /** Claim 1: after the crossing, the median sharpness must be within ±this · 2/η of 2/η. */
  eosBand: number;
  /** Claim 1: fewest measurements after the crossing to judge EoS. */
  minMeasurementsAfterCrossing: number;
  /** Claim 1: GD departs from the flow if |L_GD − L_flow| / L_flow at matched t reaches this. */
  departureGap: number;
  /** Claim 1: a loss rise larger than this (relative) between EE steps breaks monotonicity. */
  monotoneTolerance: number;
  /** Claim 1: EE's peak sharpness must exceed this · the smallest eligible 2/η. */
  uncappedFactor: number;
  /** Claim 2: peak / initial sharpness along EE must reach this. */
  sharpeningRatio: number;
  /** Claim 2: mean λ¹(G)/λ¹(ℋ) over the second half of t must lie in [low, high]. */
  gaussNewtonRatioLow: number;
  gaussNewtonRatioHigh: number;
  /** Claim 2: the first layer's block must be the largest at this fraction of measurements. */
  firstLayerFraction: number;
  /** Claim 3: final / initial mean alignment must reach this. */
  alignmentRise: number;
  /** Claim 3: Spearman correlation of alignment with sharpness must reach this. */
  minCorrelation: number;
  /** Claim 3: fewest measurements to compute a correlation. */
  minCorrelationPoints: number;
  /** Claim 4: the lowest R² the paper reports; a fit must reach it. */
  minR2: number;
  /** Claim 4: fewest distinct dataset sizes per configuration. */
  minSizes: number;
}

/** The default thresholds (see claims.ts for the reasoning behind each). */
export const DEFAULT_CRITERIA: ClaimCriteria = {
  eosCrossingFraction: 0.9,
  eosBand: 0.1,
  minMeasurementsAfterCrossing: 3,
  departureGap: 0.1,
  monotoneTolerance: 1e-5,
  uncappedFactor: 1.1,
  sharpeningRatio: 1.5,
  gaussNewtonRatioLow: 0.9,
  gaussNewtonRatioHigh: 1.1,
  firstLayerFraction: 0.8,
  alignmentRise: 1.1,
  minCorrelation: 0.5,
  minCorrelationPoints: 5,
  minR2: 0.74,
  minSizes: 3,
};

/** One sub-check: passed (true), failed (false) or could not be made (undefined), and why. */
export interface Check {
  ok: boolean | undefined;
  reason: string;
}

/** The checks of every EE run, or one that could not be made when there is no EE run. */
export function checkEveryEeRun(runs: RunTables[], check: (ee: RunTables) => Check[]): Check[] {
  const ees = runs.filter((r) => r.solver === "ee");
  return ees.length === 0 ? [{ ok: undefined, reason: "no EE run" }] : ees.flatMap(check);
}

/**
 * Combines sub-checks: any failure → not reproduced (a definite counter-example outweighs missing
 * data); else any check that could not be made → inconclusive; else reproduced. The reason lists
 * the failures, or the missing data, or every passed check.
 */
export function combineChecks(checks: Check[]): { verdict: Verdict; reason: string } {
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

/** A number rounded to 4 significant digits, for reasons and tables. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
