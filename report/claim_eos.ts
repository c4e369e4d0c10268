/**
 * Claim 1 (SCIENCE.md §6.1), per showcase configuration: GD at a step size whose 2/η lies well
 * below the flow's peak sharpness trains at the edge of stability and leaves the gradient flow;
 * exponential Euler follows the flow, its loss falls monotonically, and its sharpness is not
 * capped at 2/η.
 *
 * Readings of the criterion that the text leaves open (SCIENCE.md §6 records them):
 * - The flow is the showcase's RK4 run (solver "flow"); without it the claim is inconclusive.
 * - "Matched t": the flow's loss is interpolated linearly at the other run's trajectory times;
 *   "over the run" is the common t range of the two trajectories (no extrapolation).
 * - A GD run whose window holds too few measurements, or that ends before the flow's sharpness
 *   reaches 1.1 · 2/η, is not judged; the configuration is judged on the GD runs that are, and is
 *   inconclusive when none is. A GD run that never reaches 0.9 · 2/η although the flow exceeds
 *   1.1 · 2/η during the run does not sit at the edge of stability: it fails.
 *
 * @module
 */
import {
  type Check,
  type ClaimCriteria,
  type ClaimVerdict,
  combineChecks,
  type ConfigurationVerdict,
  fmt,
  type Numbers,
  overallVerdict,
} from "./claim_verdict.ts";
import {
  eligibleGdRuns,
  type EosWindow,
  eosWindow,
  type FlowReference,
  flowReference,
  twoOverEta,
} from "./eos_window.ts";
import { showcaseVerdict } from "./_showcase_verdict.ts";
import { columnSeries, runLabel, type RunTables, type ShowcaseTables } from "./tables.ts";
import { interpolate, median } from "../util/stats.ts";

const trajectory = (r: RunTables) =>
  columnSeries(r.trajectory as unknown as Record<string, unknown>[], "loss");

/**
 * The largest relative loss gap |L_run(t) − L_ref(t)| / |L_ref(t)| over the run's trajectory
 * times t ≥ tFrom inside the reference's t range, L_ref interpolated linearly at t; undefined when
 * no time matches.
 */
export function largestLossGap(
  run: RunTables,
  reference: RunTables,
  tFrom = -Infinity,
): { gap: number; t: number; matched: number; tLow: number; tHigh: number } | undefined {
  const ref = trajectory(reference);
  const refT = ref.map(([t]) => t), refL = ref.map(([, l]) => l);
  let gap = -Infinity, tAt = NaN, matched = 0, tLow = Infinity, tHigh = -Infinity;
  for (const [t, loss] of trajectory(run)) {
    if (t < tFrom) continue;
    const l = interpolate(refT, refL, t);
    if (l === undefined) continue;
    const g = Math.abs(loss - l) / Math.max(Math.abs(l), Number.MIN_VALUE);
    matched++, tLow = Math.min(tLow, t), tHigh = Math.max(tHigh, t);
    if (g > gap) gap = g, tAt = t;
  }
  return matched === 0 ? undefined : { gap, t: tAt, matched, tLow, tHigh };
}

/** Judges one eligible GD run from its window; records its numbers and whether it was judged. */
function judgeGdRun(
  w: EosWindow,
  flow: FlowReference,
  c: ClaimCriteria,
  n: Numbers,
  unjudged: Numbers,
): Check {
  const check = checkGdRun(w, flow, c, n, unjudged);
  n[`${w.label}: judged`] = check.ok === undefined
    ? `not judged: ${check.reason}`
    : check.ok
    ? "holds"
    : "fails";
  return check;
}

function checkGdRun(
  w: EosWindow,
  flow: FlowReference,
  c: ClaimCriteria,
  n: Numbers,
  unjudged: Numbers,
): Check {
  const { label, twoOverEta: cap } = w;
  n[`${label}: 2/η`] = cap;
  if (w.tEnd === -Infinity) {
    return { ok: undefined, reason: `${label} has no sharpness measurements` };
  }
  if (w.tOpen === null) return unopenedWindow(w, c);
  n[`${label}: EoS window t`] = `[${fmt(w.tOpen)}, ${fmt(w.tClose ?? NaN)}]` +
    (w.flowAboveAtEnd ? " (the flow is still above at its end)" : "");
  n[`${label}: sharpness measurements in the window`] = w.inWindow.length;
  unjudged[`${label}: median sharpness from the window's opening to the run's end / (2/η)`] =
    median(w.afterOpen) / cap;
  if (w.inWindow.length < c.minWindowMeasurements) {
    return {
      ok: undefined,
      reason: `${label} has ${w.inWindow.length} sharpness measurements in its EoS window ` +
        `(needs ${c.minWindowMeasurements})`,
    };
  }
  return edgeOfStabilityCheck(w, w.tOpen, flow, c, n);
}

/**
 * A GD run that never reaches 0.9 · 2/η: not judged when it ends before the flow exceeds
 * 1.1 · 2/η, failed when the flow does exceed it during the run.
 */
function unopenedWindow(w: EosWindow, c: ClaimCriteria): Check {
  const { label } = w;
  if (w.tFlowAbove === null || w.tEnd < w.tFlowAbove) {
    return {
      ok: undefined,
      reason: `${label} ends at t=${fmt(w.tEnd)}, before the flow's sharpness reaches ` +
        `${c.windowCloseFactor}·2/η${w.tFlowAbove === null ? "" : ` (t=${fmt(w.tFlowAbove)})`}`,
    };
  }
  return {
    ok: false,
    reason: `${label} never reaches ${c.windowOpenFraction}·2/η, although the flow's ` +
      `sharpness exceeds ${c.windowCloseFactor}·2/η from t=${fmt(w.tFlowAbove)}`,
  };
}

/** In its window, GD's median sharpness lies near 2/η and its loss leaves the flow's. */
function edgeOfStabilityCheck(
  w: EosWindow,
  tOpen: number,
  flow: FlowReference,
  c: ClaimCriteria,
  n: Numbers,
): Check {
  const { label, twoOverEta: cap } = w;
  const ratio = median(w.inWindow) / cap;
  n[`${label}: median sharpness in the window / (2/η)`] = ratio;
  const gap = largestLossGap(w.gd, flow.run, tOpen);
  if (gap === undefined) {
    return {
      ok: undefined,
      reason: `${label}: the flow's trajectory does not cover t ≥ ${fmt(tOpen)}`,
    };
  }
  n[`${label}: largest relative loss gap to the flow after the window opens`] = gap.gap;
  const atEos = Math.abs(ratio - 1) <= c.eosBand, departs = gap.gap >= c.departureGap;
  return {
    ok: atEos && departs,
    reason: `${label} ${atEos ? "sits" : "does not sit"} at the edge of stability (median ` +
      `sharpness in the window ${fmt(ratio)}·2/η) and ${departs ? "leaves" : "does not leave"} ` +
      `the flow (largest relative loss gap ${fmt(gap.gap)} at t=${fmt(gap.t)})`,
  };
}

/** EE's checks: monotone loss, follows the RK4 flow, peak sharpness not capped at 2/η. */
function checkEe(
  ee: RunTables,
  flow: FlowReference,
  smallestCap: number | undefined,
  c: ClaimCriteria,
  n: Numbers,
): Check[] {
  const label = runLabel(ee);
  const loss = trajectory(ee).map(([, l]) => l);
  const checks: Check[] = [];
  if (loss.length < 2) {
    checks.push({ ok: undefined, reason: `${label} has ${loss.length} loss values` });
  } else {
    let rises = 0, maxRise = 0;
    for (let i = 1; i < loss.length; i++) {
      const rise = (loss[i] - loss[i - 1]) / Math.abs(loss[i - 1]);
      maxRise = Math.max(maxRise, rise);
      if (rise > c.monotoneTolerance) rises++;
    }
    n[`${label}: steps where the loss rises by more than ${c.monotoneTolerance}`] = rises;
    n[`${label}: largest relative loss rise`] = maxRise;
    checks.push({
      ok: rises === 0,
      reason: rises === 0
        ? `${label}'s loss never rises`
        : `${label}'s loss rises at ${rises} steps (largest relative rise ${fmt(maxRise)})`,
    });
  }
  const gap = largestLossGap(ee, flow.run);
  if (gap === undefined) {
    checks.push({ ok: undefined, reason: `${label} and the flow share no time` });
  } else {
    n[`${label}: largest relative loss gap to the RK4 flow`] = gap.gap;
    n[`${label}: compared over`] = `t ∈ [${fmt(gap.tLow)}, ${
      fmt(gap.tHigh)
    }], ${gap.matched} steps`;
    const ok = gap.gap <= c.flowGap;
    checks.push({
      ok,
      reason: `${label} ${ok ? "follows" : "does not follow"} the flow (largest relative loss ` +
        `gap ${fmt(gap.gap)} at t=${fmt(gap.t)})`,
    });
  }
  const sharp = columnSeries(ee.measurements as unknown as Record<string, unknown>[], "sharpness");
  if (sharp.length === 0) {
    checks.push({ ok: undefined, reason: `${label} has no sharpness measurements` });
  } else if (smallestCap !== undefined) {
    const peak = Math.max(...sharp.map(([, s]) => s));
    n[`${label}: peak sharpness / smallest eligible 2/η`] = peak / smallestCap;
    const ok = peak > c.uncappedFactor * smallestCap;
    checks.push({
      ok,
      reason: `${label}'s peak sharpness ${fmt(peak)} is ${ok ? "above" : "not above"} ` +
        `${c.uncappedFactor}× the smallest eligible 2/η (${fmt(smallestCap)})`,
    });
  }
  return checks;
}

/** Claim 1 on one showcase configuration. */
export function checkEosConfiguration(
  showcase: ShowcaseTables,
  c: ClaimCriteria,
): ConfigurationVerdict {
  const numbers: Numbers = {}, unjudged: Numbers = {};
  const row = (v: Pick<ConfigurationVerdict, "verdict" | "reason">) =>
    showcaseVerdict(showcase, v, numbers, unjudged);
  const runs = showcase.runs;
  const flow = flowReference(runs);
  if (!flow) {
    return row({
      verdict: "inconclusive",
      reason: "no RK4 flow reference run with sharpness measurements",
    });
  }
  numbers["flow's peak sharpness"] = flow.peak;
  const gds = runs.filter((r) => r.solver === "gd");
  const eligible = eligibleGdRuns(runs, flow.peak, c);
  numbers["eligible GD runs"] = `${eligible.length} of ${gds.length}`;
  const smallestCap = eligible.length ? Math.min(...eligible.map(twoOverEta)) : undefined;
  const ees = runs.filter((r) => r.solver === "ee");
  const eeChecks = ees.length === 0
    ? [{ ok: undefined, reason: "no EE run" }]
    : ees.flatMap((ee) => checkEe(ee, flow, smallestCap, c, numbers));
  if (eligible.length === 0) {
    const caps = gds.map((r) => fmt(twoOverEta(r))).join(", ") || "no GD run";
    return row({
      verdict: "inconclusive",
      reason: `no eligible GD run: none has 2/η ≤ ${c.eligibleFraction} × the flow's peak ` +
        `sharpness ${fmt(flow.peak)} (2/η: ${caps})`,
    });
  }
  const gdChecks = eligible.map((gd) =>
    judgeGdRun(eosWindow(gd, flow, c), flow, c, numbers, unjudged)
  );
  const judged = gdChecks.filter((g) => g.ok !== undefined);
  const gdPart = judged.length > 0
    ? judged
    : [{ ok: undefined, reason: gdChecks.map((g) => g.reason).join("; ") }];
  return row(combineChecks([...gdPart, ...eeChecks]));
}

/** Claim 1 over every showcase configuration. */
export function checkClaimEos(showcases: ShowcaseTables[], c: ClaimCriteria): ClaimVerdict {
  const configurations = showcases.map((s) => checkEosConfiguration(s, c));
  return {
    id: 1,
    title: "GD enters the edge of stability and leaves the flow; EE follows the flow",
    criterion: `each GD run with 2/η ≤ ${c.eligibleFraction} × the RK4 flow's peak sharpness: ` +
      `its EoS window runs from its first sharpness ≥ ${c.windowOpenFraction}·2/η to the last ` +
      `time the flow's sharpness is ≥ ${c.windowCloseFactor}·2/η and must hold ≥ ` +
      `${c.minWindowMeasurements} GD sharpness measurements (else the run is not judged); the ` +
      `median GD sharpness in it lies within ±${c.eosBand * 100}% of 2/η, and GD's loss differs ` +
      `from the flow's at the same t by ≥ ${c.departureGap * 100}% (relative) at some time after ` +
      `the window opens. EE: its loss never rises by more than ${c.monotoneTolerance} ` +
      `(relative) from one step to the next; its largest relative loss gap to the RK4 flow, ` +
      `whose loss is interpolated linearly at EE's steps over their common t range, is ≤ ` +
      `${c.flowGap * 100}%; its peak sharpness exceeds ${c.uncappedFactor} × the smallest ` +
      `eligible 2/η`,
    paper: "GD at η with 2/η below the flow's peak sharpness trains at sharpness ≈ 2/η (edge of " +
      "stability) and no longer follows the gradient flow; exponential Euler follows the flow " +
      "without entering EoS (abstract)",
    appliesTo: "showcase",
    configurations,
    ...overallVerdict(configurations, "showcase"),
  };
}
