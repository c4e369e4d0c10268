/**
 * Claim 1 (SCIENCE.md §6.1): GD at step sizes η whose 2/η lies below the flow's peak sharpness enters
 * the edge of stability and departs from the gradient flow; EE's loss falls monotonically and its
 * sharpness is not capped at any 2/η.
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
import { columnSeries as series, runLabel, type RunTables } from "./tables.ts";
import { interpolate, median } from "../util/stats.ts";

const rows = (r: RunTables, table: "trajectory" | "measurements") =>
  r[table] as unknown as Record<string, unknown>[];

/** Checks one GD run whose 2/η lies below the reference's peak sharpness. */
function checkGdRun(
  gd: RunTables,
  reference: RunTables,
  c: ClaimCriteria,
  numbers: Record<string, number | string>,
): Check[] {
  const label = runLabel(gd);
  const cap = 2 / (gd.eta as number);
  numbers[`${label}: 2/η`] = cap;
  const sharp = series(rows(gd, "measurements"), "sharpness");
  const iCross = sharp.findIndex(([, s]) => s >= c.eosCrossingFraction * cap);
  if (iCross < 0) {
    const flowCross = series(rows(reference, "measurements"), "sharpness")
      .find(([, s]) => s >= cap)?.[0] as number;
    const tEnd = sharp.at(-1)?.[0] ?? -Infinity;
    if (tEnd < flowCross) {
      return [{
        ok: undefined,
        reason: `${label} ends at t=${fmt(tEnd)}, before the flow's sharpness reaches 2/η ` +
          `(t=${fmt(flowCross)})`,
      }];
    }
    return [{ ok: false, reason: `${label} never reaches ${c.eosCrossingFraction}·2/η` }];
  }
  const tCross = sharp[iCross][0];
  numbers[`${label}: t at crossing`] = tCross;
  const after = sharp.slice(iCross).map(([, s]) => s);
  const checks: Check[] = [];
  if (after.length < c.minMeasurementsAfterCrossing) {
    checks.push({
      ok: undefined,
      reason: `${label} has ${after.length} sharpness measurements after the crossing ` +
        `(needs ${c.minMeasurementsAfterCrossing})`,
    });
  } else {
    const ratio = median(after) / cap;
    numbers[`${label}: median sharpness after crossing / (2/η)`] = ratio;
    const ok = Math.abs(ratio - 1) <= c.eosBand;
    checks.push({
      ok,
      reason: `${label} ${ok ? "enters" : "does not enter"} EoS: median sharpness after the ` +
        `crossing is ${fmt(ratio)}·2/η`,
    });
  }
  checks.push(checkDeparture(gd, reference, tCross, c, numbers));
  return checks;
}

/** Largest relative loss gap of GD vs the reference at matched t, after and before tCross. */
function checkDeparture(
  gd: RunTables,
  reference: RunTables,
  tCross: number,
  c: ClaimCriteria,
  numbers: Record<string, number | string>,
): Check {
  const label = runLabel(gd);
  const ref = series(rows(reference, "trajectory"), "loss");
  const refT = ref.map(([t]) => t), refL = ref.map(([, l]) => l);
  let after = -Infinity, before = 0;
  for (const [t, loss] of series(rows(gd, "trajectory"), "loss")) {
    const l = interpolate(refT, refL, t);
    if (l === undefined) continue;
    const gap = Math.abs(loss - l) / Math.max(Math.abs(l), Number.MIN_VALUE);
    if (t >= tCross) after = Math.max(after, gap);
    else before = Math.max(before, gap);
  }
  if (after === -Infinity) {
    return {
      ok: undefined,
      reason: `${label}: the reference's trajectory does not cover t ≥ ${fmt(tCross)}`,
    };
  }
  numbers[`${label}: max relative loss gap vs flow after crossing`] = after;
  numbers[`${label}: max relative loss gap vs flow before crossing`] = before;
  const ok = after >= c.departureGap;
  return {
    ok,
    reason: `${label} ${ok ? "departs" : "does not depart"} from the flow (max relative loss ` +
      `gap after the crossing ${fmt(after)}, before ${fmt(before)})`,
  };
}

/** Checks EE: monotone loss, and peak sharpness above the smallest eligible 2/η. */
function checkEe(
  ee: RunTables,
  smallestCap: number,
  c: ClaimCriteria,
  numbers: Record<string, number | string>,
): Check[] {
  const label = runLabel(ee);
  const loss = series(rows(ee, "trajectory"), "loss").map(([, l]) => l);
  if (loss.length < 2) return [{ ok: undefined, reason: `${label} has fewer than 2 loss values` }];
  let rises = 0, maxRise = 0;
  for (let i = 1; i < loss.length; i++) {
    const rise = (loss[i] - loss[i - 1]) / Math.abs(loss[i - 1]);
    maxRise = Math.max(maxRise, rise);
    if (rise > c.monotoneTolerance) rises++;
  }
  numbers[`${label}: steps where the loss rises`] = rises;
  numbers[`${label}: largest relative loss rise`] = maxRise;
  const checks: Check[] = [{
    ok: rises === 0,
    reason: rises === 0
      ? `${label}'s loss falls monotonically`
      : `${label}'s loss rises at ${rises} steps (largest relative rise ${fmt(maxRise)})`,
  }];
  const sharp = series(rows(ee, "measurements"), "sharpness").map(([, s]) => s);
  if (sharp.length === 0) {
    checks.push({ ok: undefined, reason: `${label} has no sharpness measurements` });
  } else {
    const peak = Math.max(...sharp);
    numbers[`${label}: peak sharpness`] = peak;
    const ok = peak > c.uncappedFactor * smallestCap;
    checks.push({
      ok,
      reason: `${label}'s peak sharpness ${fmt(peak)} is ${ok ? "above" : "not above"} ` +
        `${c.uncappedFactor}× the smallest 2/η (${fmt(smallestCap)})`,
    });
  }
  return checks;
}

/**
 * Claim 1. The flow reference is the `flow` run (else the EE run, which follows the flow).
 * Eligible GD runs: 2/η·1.1 < the reference's peak sharpness (below the peak by more than the
 * EoS band, else a run that simply followed the flow would also sit "within ±10% of 2/η"); none →
 * inconclusive. For each: the
 * crossing is the first measurement with sharpness ≥ 0.9·2/η; EoS is entered if the median
 * sharpness from there on is within ±10% of 2/η; GD departs from the flow if, after the crossing,
 * |L_GD(t) − L_flow(t)|/L_flow(t) (flow loss linearly interpolated at GD's t) reaches 0.1 at some
 * step. Every EE run: no step's loss rises by more than 1e-5 relative (float32 rounding), and the
 * peak sharpness exceeds 1.1× the smallest eligible 2/η (clearly outside the ±10% EoS band).
 */
export function checkClaimEos(runs: RunTables[], c: ClaimCriteria): ClaimVerdict {
  const numbers: Record<string, number | string> = {};
  const base = {
    id: 1,
    title: "GD enters the edge of stability and leaves the flow; EE does not",
    criterion: `for every GD run with (1 + ${c.eosBand})·2/η below the flow's peak sharpness: ` +
      `median sharpness ` +
      `after the first measurement ≥ ${c.eosCrossingFraction}·2/η within ±${c.eosBand * 100}% ` +
      `of 2/η, and a relative loss gap vs the flow at matched t ≥ ${c.departureGap} after it; ` +
      `EE: no loss rise > ${c.monotoneTolerance} (relative) and peak sharpness > ` +
      `${c.uncappedFactor}× the smallest such 2/η`,
    paper: "GD at η with 2/η below the flow's peak sharpness trains at sharpness ≈ 2/η (edge of " +
      "stability) and no longer follows the gradient flow; exponential Euler follows the flow " +
      "without entering EoS (abstract)",
    numbers,
  };
  const reference = runs.find((r) => r.solver === "flow") ?? runs.find((r) => r.solver === "ee");
  if (!reference) return { ...base, verdict: "inconclusive", reason: "no flow or EE run" };
  numbers["flow reference"] = reference.run;
  const refSharp = series(rows(reference, "measurements"), "sharpness").map(([, s]) => s);
  if (refSharp.length === 0) {
    return { ...base, verdict: "inconclusive", reason: `${reference.run} has no sharpness` };
  }
  const peak = Math.max(...refSharp);
  numbers["flow peak sharpness"] = peak;
  const gds = runs.filter((r) => r.solver === "gd");
  const below = gds.filter((r) => 2 / (r.eta as number) < peak);
  // Where the flow itself never leaves the ±band around 2/η, EoS and the flow look alike.
  const eligible = below.filter((r) => (2 / (r.eta as number)) * (1 + c.eosBand) < peak);
  numbers["GD runs with 2/η below the peak"] = below.length;
  numbers["of which the flow's peak exceeds 2/η by more than the band"] = eligible.length;
  if (eligible.length === 0) {
    const caps = gds.map((r) => fmt(2 / (r.eta as number))).join(", ") || "none";
    return {
      ...base,
      verdict: "inconclusive",
      reason: `no GD run has 2/η below the flow's peak sharpness ${fmt(peak)} by more than ` +
        `${c.eosBand * 100}% (2/η: ${caps}), so EoS cannot be told from the flow`,
    };
  }
  const checks = eligible.flatMap((gd) => checkGdRun(gd, reference, c, numbers));
  const smallestCap = Math.min(...eligible.map((r) => 2 / (r.eta as number)));
  checks.push(...checkEveryEeRun(runs, (ee) => checkEe(ee, smallestCap, c, numbers)));
  return { ...base, ...combineChecks(checks) };
}
