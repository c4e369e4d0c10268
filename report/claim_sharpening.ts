/**
 * Claim 2 (SCIENCE.md §6.2): along EE training the sharpness rises, λ¹(G) accounts for it, and the first
 * layer's block λ¹(G¹¹) dominates the per-layer blocks.
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
import {
  columnSeries as series,
  finiteCell,
  indexedColumns,
  runLabel,
  type RunTables,
} from "./tables.ts";
import { mean } from "../util/stats.ts";

function checkRun(ee: RunTables, c: ClaimCriteria, numbers: Record<string, number | string>) {
  const label = runLabel(ee);
  const ms = [...ee.measurements].sort((a, b) => a.t - b.t) as unknown as Record<
    string,
    unknown
  >[];
  const checks: Check[] = [];
  const sharp = series(ms, "sharpness");
  if (sharp.length < 2) {
    return [{ ok: undefined, reason: `${label} has ${sharp.length} sharpness measurements` }];
  }
  const initial = sharp[0][1], peak = Math.max(...sharp.map(([, s]) => s));
  numbers[`${label}: initial sharpness`] = initial;
  numbers[`${label}: peak sharpness`] = peak;
  if (initial <= 0) {
    checks.push({ ok: undefined, reason: `${label}'s initial sharpness ${fmt(initial)} ≤ 0` });
  } else {
    const ratio = peak / initial;
    numbers[`${label}: peak / initial sharpness`] = ratio;
    const ok = ratio >= c.sharpeningRatio;
    checks.push({
      ok,
      reason: `${label}'s sharpness ${ok ? "rises" : "does not rise enough"}: peak/initial ` +
        `${fmt(ratio)}`,
    });
  }
  const tMid = (sharp[0][0] + sharp[sharp.length - 1][0]) / 2;
  const ratios = ms.filter((r) => (finiteCell(r, "t") as number) >= tMid).flatMap((r) => {
    const g = finiteCell(r, "lambda_G"), s = finiteCell(r, "sharpness");
    return g !== undefined && s !== undefined && s !== 0 ? [g / s] : [];
  });
  if (ratios.length === 0) {
    checks.push({ ok: undefined, reason: `${label} has no λ¹(G) in the second half of t` });
  } else {
    const r = mean(ratios);
    numbers[`${label}: mean λ¹(G)/λ¹(ℋ), second half`] = r;
    const ok = r >= c.gaussNewtonRatioLow && r <= c.gaussNewtonRatioHigh;
    checks.push({
      ok,
      reason: `${label}: mean λ¹(G)/λ¹(ℋ) over the second half ${fmt(r)} ` +
        `${ok ? "is" : "is not"} in [${c.gaussNewtonRatioLow}, ${c.gaussNewtonRatioHigh}]`,
    });
  }
  checks.push(checkFirstLayer(label, ms, c, numbers));
  return checks;
}

function checkFirstLayer(
  label: string,
  ms: Record<string, unknown>[],
  c: ClaimCriteria,
  numbers: Record<string, number | string>,
): Check {
  const layers = indexedColumns(ms, "lambda_G_layer_");
  if (layers.length < 2 || layers[0] !== 1) {
    return { ok: undefined, reason: `${label} lacks per-layer blocks lambda_G_layer_1…L` };
  }
  let counted = 0, firstIsMax = 0;
  for (const r of ms) {
    const blocks = layers.map((n) => finiteCell(r, `lambda_G_layer_${n}`));
    if (blocks.some((b) => b === undefined)) continue;
    counted++;
    if ((blocks[0] as number) >= Math.max(...(blocks as number[]))) firstIsMax++;
  }
  if (counted === 0) {
    return { ok: undefined, reason: `${label} has no measurement with every layer block` };
  }
  const fraction = firstIsMax / counted;
  numbers[`${label}: fraction of measurements where layer 1's block is the largest`] = fraction;
  const ok = fraction >= c.firstLayerFraction;
  return {
    ok,
    reason: `${label}: λ¹(G¹¹) is the largest block at ${fmt(fraction * 100)}% of ` +
      `${counted} measurements`,
  };
}

/**
 * Claim 2, on every EE run: peak/initial sharpness ≥ 1.5 (progressive sharpening, not noise);
 * mean λ¹(G)/λ¹(ℋ) over measurements in the second half of the run's flow time within [0.9, 1.1]
 * (G accounts for the sharpness once it has risen); λ¹(G¹¹) ≥ every other λ¹(Gⁿⁿ) at ≥ 80% of
 * the measurements that have all blocks.
 */
export function checkClaimSharpening(runs: RunTables[], c: ClaimCriteria): ClaimVerdict {
  const numbers: Record<string, number | string> = {};
  const checks = checkEveryEeRun(runs, (ee) => checkRun(ee, c, numbers));
  return {
    id: 2,
    title: "Progressive sharpening along EE is carried by λ¹(G) and the first layer's block",
    criterion: `every EE run: peak/initial sharpness ≥ ${c.sharpeningRatio}; mean ` +
      `λ¹(G)/λ¹(ℋ) over the second half of t in [${c.gaussNewtonRatioLow}, ` +
      `${c.gaussNewtonRatioHigh}]; λ¹(G¹¹) the largest block at ≥ ` +
      `${c.firstLayerFraction * 100}% of measurements`,
    paper: "the sharpness rises along the flow, the Gauss–Newton part λ¹(G) accounts for it, " +
      "and the first layer's block dominates (SCIENCE.md §6.2; the paper's text is not at hand)",
    numbers,
    ...combineChecks(checks),
  };
}
