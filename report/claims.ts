/**
 * Computed verdicts on the claims of SCIENCE.md §6, with the criteria fixed there before any
 * result was seen. Every verdict is derived from the tables by a documented rule; none is
 * written by hand. Claims 1–3 are judged per showcase configuration (the only ones with GD, the
 * RK4 flow and dense measurements along EE), claim 4 per sweep configuration; each claim's
 * overall verdict combines its configurations (`overallVerdict`: inconclusive configurations do
 * not count; reproduced, partly reproduced, not reproduced or inconclusive).
 *
 * The readings the criteria leave open, each documented in its module and in SCIENCE.md §6:
 * - The sharpening phase of an EE run is t ≤ t★, t★ the time of that run's own peak sharpness
 *   (sharpening_phase.ts).
 * - GD's EoS window and its eligibility (eos_window.ts); "matched t" is the flow's loss
 *   interpolated linearly at the other run's steps, "over the run" their common t range
 *   (claim_eos.ts).
 * - A GD run that cannot be judged (too few window measurements, too short) is left out; the
 *   configuration is inconclusive only when no eligible GD run can be judged.
 * - Claim 4's "≥ 3 seeds" means at every size; the informative rule needs every run's initial
 *   alignment and steps (claim_power_law.ts).
 *
 * @module
 */
import {
  type ClaimCriteria,
  type ClaimVerdict,
  type ConfigurationOutcome,
  type ConfigurationVerdict,
  DEFAULT_CRITERIA,
  overallVerdict,
} from "./claim_verdict.ts";
import { checkClaimEos } from "./claim_eos.ts";
import { checkClaimSharpening } from "./claim_sharpening.ts";
import { checkClaimAlignment } from "./claim_alignment.ts";
import { checkClaimPowerLaw } from "./claim_power_law.ts";
import { type FitRow, type ShowcaseTables, type SweepPoint, validateShowcases } from "./tables.ts";

export { checkClaimAlignment, checkClaimEos, checkClaimPowerLaw, checkClaimSharpening };
export { type ClaimCriteria, type ClaimVerdict, DEFAULT_CRITERIA, overallVerdict };
export type { ConfigurationOutcome, ConfigurationVerdict };
export type { Verdict } from "./claim_verdict.ts";

/** The tables the claims are judged on. */
export interface ClaimInputs {
  /** The showcase configurations, each with its runs (EE, the RK4 flow, adaptive GD, GD at each η). */
  showcases: ShowcaseTables[];
  /** The power-law sweep: one point per run, and the fits per configuration. */
  points: SweepPoint[];
  fits: FitRow[];
}

/**
 * Evaluates claims 1–4 of SCIENCE.md §6; `criteria` overrides any default threshold.
 *
 * @example A sweep configuration that trained and fits a power law; no showcase
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { evaluateClaims } from "./claims.ts";
 *
 * const sizes = [32, 64, 128, 256, 512]; // 5 sizes spanning 16×
 * const points = sizes.flatMap((N) =>
 *   [0, 1, 2].map((seed) => ({
 *     config: "mnist-mse", N, seed,
 *     alignment: 0.1 * N ** 0.2, initialAlignment: 0.08, steps: 400, stopReason: "lossBelow",
 *   }))
 * );
 * const fits = [{
 *   config: "mnist-mse", over: "seeds" as const,
 *   beta: 0.2, beta_ci_low: 0.15, beta_ci_high: 0.25, c: 0.1, r2: 0.9, points: 15,
 * }];
 * const claims = evaluateClaims({ showcases: [], points, fits });
 * assertEquals(claims.map((c) => c.verdict), [
 *   "inconclusive", "inconclusive", "inconclusive", // no showcase configuration
 *   "reproduced",
 * ]);
 * assertEquals(claims[3].configurations[0].informative, true);
 * // A stricter R² threshold turns the same numbers into a counter-example.
 * assertEquals(evaluateClaims({ showcases: [], points, fits }, { minR2: 0.95 })[3].verdict,
 *   "not reproduced");
 * ```
 */
export function evaluateClaims(
  inputs: ClaimInputs,
  criteria: Partial<ClaimCriteria> = {},
): ClaimVerdict[] {
  const c = { ...DEFAULT_CRITERIA, ...criteria };
  for (const [key, value] of Object.entries(c)) {
    if (!(key in DEFAULT_CRITERIA)) {
      throw new Error(`criteria.${key}: unknown; allowed: ${Object.keys(DEFAULT_CRITERIA)}`);
    }
    if (!Number.isFinite(value)) throw new Error(`criteria.${key}: ${value} is not finite`);
  }
  validateShowcases(inputs.showcases);
  return [
    checkClaimEos(inputs.showcases, c),
    checkClaimSharpening(inputs.showcases, c),
    checkClaimAlignment(inputs.showcases, c),
    checkClaimPowerLaw(inputs.points, inputs.fits, c),
  ];
}
