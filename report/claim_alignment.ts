/**
 * Claim 3 (SCIENCE.md §6.3): the alignment a rises during training together with the sharpness.
 *
 * @module
 */
import {
  type Check,
  checkEveryEeRun,
  type ClaimCriteria,
  type ClaimVerdict,
  combineChecks,
  fmt,
} from "./claim_verdict.ts";
import { finiteCell, runLabel, type RunTables } from "./tables.ts";
import { pearson, spearman } from "../util/stats.ts";

function checkRun(ee: RunTables, c: ClaimCriteria, numbers: Record<string, number | string>) {
  const label = runLabel(ee);
  const pairs = [...ee.measurements].sort((a, b) => a.t - b.t).flatMap((r) => {
    const a = finiteCell(r, "align_mean"), s = finiteCell(r, "sharpness");
    return a !== undefined && s !== undefined ? [[a, s] as const] : [];
  });
  if (pairs.length < c.minCorrelationPoints) {
    return [{
      ok: undefined,
      reason: `${label} has ${pairs.length} measurements with both align_mean and sharpness ` +
        `(needs ${c.minCorrelationPoints})`,
    }];
  }
  const align = pairs.map(([a]) => a), sharp = pairs.map(([, s]) => s);
  const rise = align[align.length - 1] / align[0];
  const rho = spearman(align, sharp), r = pearson(align, sharp);
  numbers[`${label}: initial alignment`] = align[0];
  numbers[`${label}: final alignment`] = align[align.length - 1];
  numbers[`${label}: final / initial alignment`] = rise;
  numbers[`${label}: Spearman(alignment, sharpness)`] = rho;
  numbers[`${label}: Pearson(alignment, sharpness)`] = r;
  const checks: Check[] = [
    {
      ok: rise >= c.alignmentRise,
      reason: `${label}: final/initial alignment ${fmt(rise)}`,
    },
    Number.isNaN(rho)
      ? { ok: undefined, reason: `${label}: alignment or sharpness is constant` }
      : {
        ok: rho >= c.minCorrelation,
        reason: `${label}: Spearman correlation with sharpness ${fmt(rho)} (Pearson ${fmt(r)})`,
      },
  ];
  return checks;
}

/**
 * Claim 3, on every EE run, from the measurements with both `align_mean` and `sharpness` (at
 * least 5): final/initial alignment ≥ 1.1 (a rise beyond noise) and Spearman's rank correlation
 * of alignment with sharpness ≥ 0.5 (they rise together; ranks, because the relation need not be
 * linear). Pearson's r is reported beside it.
 */
export function checkClaimAlignment(runs: RunTables[], c: ClaimCriteria): ClaimVerdict {
  const numbers: Record<string, number | string> = {};
  const checks = checkEveryEeRun(runs, (ee) => checkRun(ee, c, numbers));
  return {
    id: 3,
    title: "Alignment rises during training together with the sharpness",
    criterion: `every EE run: final/initial mean alignment ≥ ${c.alignmentRise} and Spearman ` +
      `correlation of alignment with sharpness ≥ ${c.minCorrelation} (≥ ` +
      `${c.minCorrelationPoints} measurements)`,
    paper: "the layerwise Jacobians become aligned during training, which makes the sharpness " +
      "rise (abstract; the paper's correlation is not at hand)",
    numbers,
    ...combineChecks(checks),
  };
}
