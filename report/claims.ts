/**
 * Computed verdicts on the claims of SCIENCE.md §6. Every verdict is derived from the tables by a fixed,
 * documented criterion; none is written by hand. The thresholds (DEFAULT_CRITERIA) and why:
 *
 * 1. EoS: only GD runs with 1.1·2/η below the flow's peak sharpness can show it (otherwise a run
 *    that followed the flow would also end within ±10% of 2/η); crossing at sharpness ≥ 0.9·2/η
 *    (GD's sharpness approaches 2/η from below); EoS entered
 *    if the median sharpness after it is within ±10% of 2/η (SCIENCE.md's band; the median ignores the
 *    spikes of catapults); GD departs from the flow if the relative loss gap at matched t reaches
 *    0.1 after the crossing. EE: no loss rise beyond 1e-5 relative (float32 rounding of a
 *    full-batch loss), and peak sharpness > 1.1× the smallest eligible 2/η, i.e. beyond the band.
 * 2. Sharpening: peak/initial ≥ 1.5; λ¹(G)/λ¹(ℋ) in [0.9, 1.1] over the second half of t (after
 *    the rise); λ¹(G¹¹) largest at ≥ 80% of measurements (dominance, not a tie at one point).
 * 3. Alignment: final/initial ≥ 1.1 and Spearman ≥ 0.5 with sharpness, over ≥ 5 measurements.
 * 4. Power law: ≥ 3 sizes, β's interval above 0, R² ≥ 0.74 (the paper's lowest).
 *
 * Insufficient data (no such GD run, too few measurements or sizes,
 * missing columns) gives "inconclusive" with the reason; a definite counter-example gives "not
 * reproduced" even if other parts are missing.
 *
 * @module
 */
import { type ClaimCriteria, type ClaimVerdict, DEFAULT_CRITERIA } from "./claim_verdict.ts";
import { checkClaimEos } from "./claim_eos.ts";
import { checkClaimSharpening } from "./claim_sharpening.ts";
import { checkClaimAlignment } from "./claim_alignment.ts";
import { checkClaimPowerLaw } from "./claim_power_law.ts";
import { type FitRow, type RunTables, type SweepPoint, validateRuns } from "./tables.ts";

export { checkClaimAlignment, checkClaimEos, checkClaimPowerLaw, checkClaimSharpening };
export { type ClaimCriteria, type ClaimVerdict, DEFAULT_CRITERIA };
export type { Verdict } from "./claim_verdict.ts";

/** The tables the claims are judged on. */
export interface ClaimInputs {
  /** The trajectory runs: EE, GD at several η, adaptive GD, the flow reference. */
  runs: RunTables[];
  /** The power-law sweep's final alignments and fits. */
  points: SweepPoint[];
  fits: FitRow[];
}

/** Evaluates claims 1–4 of SCIENCE.md §6; `criteria` overrides any default threshold. */
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
  validateRuns(inputs.runs);
  return [
    checkClaimEos(inputs.runs, c),
    checkClaimSharpening(inputs.runs, c),
    checkClaimAlignment(inputs.runs, c),
    checkClaimPowerLaw(inputs.points, inputs.fits, c),
  ];
}
