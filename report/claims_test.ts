/**
 * Claims 1–3 on hand-made showcase tables (closed-form curves, fixtures_test_support.ts) whose
 * verdicts follow from the formulas: every verdict of every claim, each inconclusive reason, and
 * the overall verdicts over several configurations. Claim 4 is in claim_power_law_test.ts.
 */
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { evaluateClaims } from "./claims.ts";
import {
  combineChecks,
  type ConfigurationVerdict,
  DEFAULT_CRITERIA,
  overallVerdict,
} from "./claim_verdict.ts";
import { checkClaimEos, checkEosConfiguration } from "./claim_eos.ts";
import { checkClaimSharpening, checkSharpeningConfiguration } from "./claim_sharpening.ts";
import { checkAlignmentConfiguration, checkClaimAlignment } from "./claim_alignment.ts";
import { flowAlignment, flowRun, flowSharpness, gdRun } from "./fixtures_test_support.ts";
import type { RunTables, ShowcaseTables } from "./tables.ts";

const c = DEFAULT_CRITERIA;
const flow = (peakAt = Infinity) => flowRun("flow", "flow", 30, 0.01, 50, peakAt);
const ee = (peakAt = Infinity) => flowRun("ee", "ee", 30, 0.05, 10, peakAt);
const show = (runs: RunTables[], config = "showcase-a"): ShowcaseTables => ({ config, runs });
const eos = (runs: RunTables[]) => checkEosConfiguration(show(runs), c);
const sharpening = (runs: RunTables[]) => checkSharpeningConfiguration(show(runs), c);
const alignment = (runs: RunTables[]) => checkAlignmentConfiguration(show(runs), c);
/** A copy of run with f applied to every measurement row (and trajectory row, if given). */
function mapRows(
  run: RunTables,
  f: (r: Record<string, number>) => void,
  g?: (r: Record<string, number>) => void,
): RunTables {
  const copy = (rows: object[], h: (r: Record<string, number>) => void) =>
    rows.map((r) => {
      const out = { ...r } as Record<string, number>;
      h(out);
      return out;
    });
  return {
    ...run,
    measurements: copy(run.measurements, f) as RunTables["measurements"],
    trajectory: g ? copy(run.trajectory, g) as unknown as RunTables["trajectory"] : run.trajectory,
  };
}
const flowPeak = flowSharpness(30); // 2 + 18(1 − e^{−6}) ≈ 19.955

Deno.test("combineChecks: a failure beats missing data, missing data beats passes", () => {
  const pass = { ok: true, reason: "p" }, fail = { ok: false, reason: "f" };
  const missing = { ok: undefined, reason: "m" };
  assertEquals(combineChecks([pass, missing, fail]), { verdict: "not reproduced", reason: "f" });
  assertEquals(combineChecks([pass, missing]), { verdict: "inconclusive", reason: "m" });
  assertEquals(combineChecks([pass, pass]), { verdict: "reproduced", reason: "p; p" });
  assertEquals(combineChecks([]).verdict, "inconclusive");
});

Deno.test("overallVerdict: inconclusive configurations do not count; mixed is partly reproduced", () => {
  const row = (config: string, verdict: ConfigurationVerdict["verdict"]) =>
    ({ config, verdict, reason: `r-${config}` }) as ConfigurationVerdict;
  const yes = row("a", "reproduced"), no = row("b", "not reproduced");
  const open = row("c", "inconclusive");
  assertEquals(overallVerdict([yes, open], "sweep"), {
    verdict: "reproduced",
    reason: "holds in a; inconclusive in c",
  });
  assertEquals(overallVerdict([yes, no], "sweep").verdict, "partly reproduced");
  assertEquals(overallVerdict([no, open], "sweep").verdict, "not reproduced");
  assertEquals(overallVerdict([open], "sweep"), {
    verdict: "inconclusive",
    reason: "no informative configuration (c: r-c)",
  });
  assertEquals(overallVerdict([], "showcase"), {
    verdict: "inconclusive",
    reason: "no showcase configuration",
  });
});

Deno.test("claim 1 reproduced: GD at 2/η = 10 and 13.3 sits at 2/η in its window and leaves the flow", () => {
  const v = eos([flow(), ee(), gdRun(0.2), gdRun(0.15)]);
  assertEquals(v.verdict, "reproduced", v.reason);
  assertEquals(v.numbers["flow's peak sharpness"], flowPeak);
  assertEquals(v.numbers["eligible GD runs"], "2 of 2");
  // The window opens at GD's first measurement ≥ 9 = 0.9·10: S(t) ≥ 9 from t = 5 ln(18/11) ≈ 2.46,
  // GD measured every 0.2; the flow rises to the end, so the window closes at the flow's end.
  assertStringIncludes(
    v.numbers["GD η=0.2: EoS window t"] as string,
    "[2.6, 30] (the flow is still above at its end)",
  );
  const ratio = v.numbers["GD η=0.2: median sharpness in the window / (2/η)"] as number;
  assert(Math.abs(ratio - 1) <= 0.03, `median ratio ${ratio} inside the ±3% oscillation`);
  assertEquals(v.numbers["GD η=0.2: judged"], "holds");
  // EE is the same closed form as the flow: its gap is linear interpolation error only.
  assert((v.numbers["EE: largest relative loss gap to the RK4 flow"] as number) < 1e-5);
  assertEquals(v.numbers["EE: compared over"], "t ∈ [0, 30], 601 steps");
  assertEquals(v.numbers["EE: steps where the loss rises by more than 0.00001"], 0);
  assertAlmostEquals(
    v.numbers["EE: peak sharpness / smallest eligible 2/η"] as number,
    flowPeak / 10,
  );
});

Deno.test("claim 1 eligibility: 2/η ≤ 0.9 × the flow's peak, and nothing else", () => {
  const at = (f: number) => eos([flow(), ee(), gdRun(2 / (f * flowPeak))]);
  assertEquals(at(0.89).numbers["eligible GD runs"], "1 of 1");
  const above = at(0.91);
  assertEquals(above.verdict, "inconclusive");
  assertStringIncludes(above.reason, "no eligible GD run: none has 2/η ≤ 0.9 × the flow's peak");
  assertEquals(eos([flow(), ee()]).reason.endsWith("(2/η: no GD run)"), true);
  // The EE numbers are reported even when the precondition fails.
  assertEquals(above.numbers["EE: steps where the loss rises by more than 0.00001"], 0);
});

Deno.test("claim 1 not reproduced: each part of the criterion can fail on its own", () => {
  const onFlowSharpness = mapRows(gdRun(0.2), (r) => (r.sharpness = flowSharpness(r.t)));
  assertStringIncludes(
    eos([flow(), ee(), onFlowSharpness]).reason,
    "GD η=0.2 does not sit at the edge of stability",
  );
  const onFlowLoss = mapRows(gdRun(0.2), () => {}, (r) => (r.loss = Math.exp(-r.t / 3)));
  const v = eos([flow(), ee(), onFlowLoss]);
  assertEquals(v.verdict, "not reproduced");
  assertStringIncludes(v.reason, "does not leave the flow");
  const below = mapRows(gdRun(0.2), (r) => (r.sharpness = Math.min(flowSharpness(r.t), 8)));
  assertStringIncludes(
    eos([flow(), ee(), below]).reason,
    "GD η=0.2 never reaches 0.9·2/η, although the flow's sharpness exceeds 1.1·2/η from t=3.5",
  );

  const bumpy = ee();
  bumpy.trajectory[100] = { ...bumpy.trajectory[100], loss: bumpy.trajectory[99].loss * 1.01 };
  assertStringIncludes(eos([flow(), bumpy, gdRun(0.2)]).reason, "EE's loss rises at 1 steps");
  // EE's loss drifts from the flow's by 0.1% per unit t: 3% at t = 30, above the 2% allowed.
  const drifting = mapRows(
    ee(),
    () => {},
    (r) => (r.loss = Math.exp(-r.t / 3) * (1 + 0.001 * r.t)),
  );
  const d = eos([flow(), drifting, gdRun(0.2)]);
  assertEquals(d.verdict, "not reproduced");
  assertStringIncludes(d.reason, "EE does not follow the flow");
  assertAlmostEquals(
    d.numbers["EE: largest relative loss gap to the RK4 flow"] as number,
    0.03,
    1e-5,
  );
  const capped = mapRows(ee(), (r) => (r.sharpness = Math.min(r.sharpness, 10.5)));
  assertStringIncludes(
    eos([flow(), capped, gdRun(0.2)]).reason,
    "EE's peak sharpness 10.5 is not above 1.1× the smallest eligible 2/η (10)",
  );
});

Deno.test("claim 1 inconclusive: no flow, no sharpness, too few window measurements, too short, no EE", () => {
  assertEquals(
    eos([ee(), gdRun(0.2)]).reason,
    "no RK4 flow reference run with sharpness measurements",
  );
  const blind = mapRows(flow(), (r) => delete (r as Record<string, unknown>).sharpness);
  assertEquals(eos([blind, ee(), gdRun(0.2)]).verdict, "inconclusive");
  // Measured every 20 steps of 0.2: t = 4, 8, …, 28 lie in the window [4, 30].
  const sparse = eos([flow(), ee(), gdRun(0.2, 30, 20)]);
  assertEquals(sparse.verdict, "inconclusive");
  assertStringIncludes(
    sparse.reason,
    "GD η=0.2 has 7 sharpness measurements in its EoS window (needs 10)",
  );
  // The flow reaches 11 = 1.1·10 at t = 5 ln 2 ≈ 3.47; a GD run that stops at t = 2 cannot tell.
  const short = eos([flow(), ee(), gdRun(0.2, 2)]);
  assertEquals(short.verdict, "inconclusive");
  assertStringIncludes(short.reason, "GD η=0.2 ends at t=2, before the flow's sharpness reaches");
  const noSharpness = mapRows(gdRun(0.2), (r) => delete (r as Record<string, unknown>).sharpness);
  assertStringIncludes(eos([flow(), ee(), noSharpness]).reason, "GD η=0.2 has no sharpness");
  assertEquals(eos([flow(), gdRun(0.2)]).reason, "no EE run");
});

Deno.test("claim 1: a GD run that cannot be judged is left out when another can be", () => {
  const v = eos([flow(), ee(), gdRun(0.2), gdRun(0.15, 30, 40)]);
  assertEquals(v.verdict, "reproduced", v.reason);
  assertStringIncludes(v.numbers["GD η=0.15: judged"] as string, "not judged: GD η=0.15 has");
});

Deno.test("claim 1 windows close where the flow falls back below 1.1·2/η", () => {
  // Peak at t = 15: S(15) ≈ 19.10, then S(15)·e^{−(t−15)/5} = 11 at t = 15 + 5 ln(S(15)/11) ≈ 17.76.
  const v = eos([flow(15), ee(15), gdRun(0.2)]);
  const tClose = 15 + 5 * Math.log(flowSharpness(15) / 11);
  const window = v.numbers["GD η=0.2: EoS window t"] as string;
  const closes = Number(window.match(/, ([\d.]+)\]/)![1]);
  // The flow is measured every 0.5: the last measurement at or before tClose.
  assertEquals(closes, Math.floor(tClose * 2) / 2);
  // GD measured every 0.2 from 2.6 to 17.5: 75 measurements.
  assertEquals(v.numbers["GD η=0.2: sharpness measurements in the window"], 75);
});

Deno.test("claim 1 over configurations: reproduced, partly, not reproduced, inconclusive", () => {
  const good = show([flow(), ee(), gdRun(0.2)], "showcase-good");
  const bad = show(
    [flow(), ee(), mapRows(gdRun(0.2), (r) => (r.sharpness = flowSharpness(r.t)))],
    "showcase-bad",
  );
  const none = show([flow(), ee()], "showcase-none");
  assertEquals(checkClaimEos([good, none], c).verdict, "reproduced");
  assertEquals(checkClaimEos([good, bad], c).verdict, "partly reproduced");
  assertEquals(checkClaimEos([bad, none], c).verdict, "not reproduced");
  assertEquals(checkClaimEos([none], c).verdict, "inconclusive");
  assertEquals(checkClaimEos([good, bad], c).configurations.map((r) => r.config), [
    "showcase-good",
    "showcase-bad",
  ]);
});

Deno.test("claim 2 is judged over the sharpening phase; the whole run is shown beside it", () => {
  const ok = sharpening([ee()]);
  assertEquals(ok.verdict, "reproduced", ok.reason);
  assertEquals(ok.numbers["EE: t★ (peak sharpness)"], "30 (the run's last measurement)");
  // Peak at t = 15: 31 measurements (t = 0…15) in the phase with λ¹(G)/λ¹(ℋ) = 0.98 and layer 1
  // largest; the 30 after it have 0.5 and layer 2 largest.
  const peaked = sharpening([ee(15)]);
  assertEquals(peaked.verdict, "reproduced", peaked.reason);
  assertEquals(peaked.numbers["EE: t★ (peak sharpness)"], 15);
  assertEquals(peaked.numbers["EE: measurements in the sharpening phase"], 31);
  assertAlmostEquals(peaked.numbers["EE: mean λ¹(G)/λ¹(ℋ), sharpening phase"] as number, 0.98);
  assertAlmostEquals(
    peaked.unjudged["EE: mean λ¹(G)/λ¹(ℋ), whole run"] as number,
    (31 * 0.98 + 30 * 0.5) / 61,
  );
  assertEquals(peaked.numbers["EE: share where λ¹(G¹¹) is the largest block, sharpening phase"], 1);
  assertEquals(peaked.unjudged["EE: share where λ¹(G¹¹) is the largest block, whole run"], 31 / 61);
  assertEquals(peaked.numbers["EE: peak / initial sharpness"], flowSharpness(15) / 2);
});

Deno.test("claim 2 not reproduced: flat sharpness, weak λ¹(G), another layer's block", () => {
  const flat = mapRows(ee(), (r) => (r.sharpness = 2 + 0.001 * r.t));
  assertStringIncludes(sharpening([flat]).reason, "does not rise enough: peak/initial 1.015");
  const weakG = mapRows(ee(), (r) => (r.lambda_G = 0.5 * r.sharpness));
  assertStringIncludes(sharpening([weakG]).reason, "0.5 is not in [0.9, 1.1]");
  const layer2 = mapRows(ee(), (r) => (r.lambda_G_layer_2 = 0.8 * r.lambda_G));
  const v = sharpening([layer2]);
  assertEquals(v.verdict, "not reproduced");
  assertStringIncludes(v.reason, "λ¹(G¹¹) is the largest block at 0% of the sharpening phase's 61");
});

Deno.test("claim 2 inconclusive: no EE run, no sharpness, no λ¹(G), no layer blocks; sparse rows skipped", () => {
  assertEquals(sharpening([flow(), gdRun(0.2)]).reason, "no EE run");
  const drop = (...cols: string[]) =>
    mapRows(ee(), (r) => cols.forEach((k) => delete (r as Record<string, unknown>)[k]));
  assertEquals(sharpening([drop("sharpness")]).reason, "EE has no sharpness measurements");
  assertEquals(sharpening([drop("lambda_G")]).reason, "EE has no λ¹(G) in the sharpening phase");
  assertStringIncludes(
    sharpening([drop("lambda_G_layer_1", "lambda_G_layer_2", "lambda_G_layer_3")]).reason,
    "lacks per-layer blocks",
  );
  // Sharpness-only rows in between (NaN elsewhere) change no judged number.
  const base = ee(15);
  const sparse: RunTables = {
    ...base,
    measurements: base.measurements.flatMap((r) => [
      r,
      { step: r.step + 5, t: r.t + 0.25, sharpness: flowSharpness(r.t + 0.25, 15), lambda_G: NaN },
    ]),
  };
  const v = sharpening([sparse]);
  assertEquals(v.verdict, "reproduced", v.reason);
  assertEquals(
    v.numbers["EE: mean λ¹(G)/λ¹(ℋ), sharpening phase"],
    sharpening([base]).numbers["EE: mean λ¹(G)/λ¹(ℋ), sharpening phase"],
  );
});

Deno.test("claim 3: alignment at t★ over t = 0, Spearman over the phase, and the share from alignment", () => {
  const ok = alignment([ee()]);
  assertEquals(ok.verdict, "reproduced", ok.reason);
  const a30 = flowAlignment(30);
  assertEquals(ok.numbers["EE: ā(0)"], 0.2);
  assertEquals(ok.numbers["EE: ā(t★) / ā(0)"], a30 / 0.2);
  assertEquals(ok.numbers["EE: Spearman(alignment, sharpness)"], 1);
  // ‖S¹‖ = a·(5 + t): ln(a₃₀/a₀) / ln(a₃₀·35 / (a₀·5)).
  assertAlmostEquals(
    ok.numbers["EE: share of ‖S¹‖'s growth from alignment (reported)"] as number,
    Math.log(a30 / 0.2) / Math.log((a30 * 35) / (0.2 * 5)),
    1e-12,
  );
  // Peak at 15: judged up to t★ = 15; the whole run (alignment falling after t★) is only shown.
  const peaked = alignment([ee(15)]);
  assertEquals(peaked.verdict, "reproduced", peaked.reason);
  assertEquals(peaked.numbers["EE: ā(t★)"], flowAlignment(15));
  assertAlmostEquals(
    peaked.unjudged["EE: final / initial alignment, whole run"] as number,
    (flowAlignment(15) * Math.exp(-1.5)) / 0.2,
  );
  assert((peaked.unjudged["EE: Spearman(alignment, sharpness), whole run"] as number) < 1);
});

Deno.test("claim 3 not reproduced: falling alignment, a rise under 10%, no rank correlation", () => {
  const falling = alignment([mapRows(ee(), (r) => (r.align_mean = 0.8 - 0.01 * r.t))]);
  assertEquals(falling.verdict, "not reproduced");
  assertEquals(falling.numbers["EE: Spearman(alignment, sharpness)"], -1);
  const small = alignment([mapRows(ee(), (r) => (r.align_mean = 0.2 * (1 + 0.05 * r.t / 30)))]);
  assertEquals([small.verdict, small.reason], ["not reproduced", "EE: ā(t★)/ā(0) = 1.05"]);
  // Alternating high/low with a rise from start to t★: ranks barely follow the sharpness.
  const zigzag = alignment([
    mapRows(ee(), (r) => (r.align_mean = r.t === 30 ? 0.3 : r.step % 20 ? 0.25 : 0.2)),
  ]);
  assertEquals(zigzag.verdict, "not reproduced");
  assert((zigzag.numbers["EE: Spearman(alignment, sharpness)"] as number) < 0.5);
  assertStringIncludes(zigzag.reason, "Spearman correlation with sharpness over the phase");
});

Deno.test("claim 3 inconclusive: too few phase measurements, missing alignment; share not recorded", () => {
  // Peak at t = 1.5, measured every 0.5: 4 measurements (t = 0, 0.5, 1, 1.5) in the phase.
  const early = alignment([ee(1.5)]);
  assertEquals(early.verdict, "inconclusive");
  assertStringIncludes(
    early.reason,
    "EE has 4 measurements with alignment and sharpness in its sharpening phase (needs 5)",
  );
  const none = alignment([mapRows(ee(), (r) => delete (r as Record<string, unknown>).align_mean)]);
  assertStringIncludes(none.reason, "has 0 measurements");
  assertEquals(alignment([gdRun(0.2)]).reason, "no EE run");
  const noS1 = alignment([
    mapRows(ee(), (r) => delete (r as Record<string, unknown>).s1_norm_mean),
  ]);
  assertEquals(noS1.verdict, "reproduced");
  assertEquals(
    noS1.numbers["EE: share of ‖S¹‖'s growth from alignment (reported)"],
    "not recorded",
  );
});

Deno.test("claims 2 and 3 over configurations: reproduced, partly, not reproduced, inconclusive", () => {
  const good = show([ee()], "showcase-good");
  const flat = show([mapRows(ee(), (r) => (r.sharpness = 2 + 0.001 * r.t))], "showcase-flat");
  const falling = show(
    [mapRows(ee(), (r) => (r.align_mean = 0.8 - 0.01 * r.t))],
    "showcase-falling",
  );
  const none = show([flow()], "showcase-none");
  const v2 = (...s: ShowcaseTables[]) => checkClaimSharpening(s, c).verdict;
  const v3 = (...s: ShowcaseTables[]) => checkClaimAlignment(s, c).verdict;
  assertEquals(
    [v2(good, none), v2(good, flat), v2(flat, none), v2(none)],
    ["reproduced", "partly reproduced", "not reproduced", "inconclusive"],
  );
  assertEquals(
    [v3(good, none), v3(good, falling), v3(falling, none), v3(none)],
    ["reproduced", "partly reproduced", "not reproduced", "inconclusive"],
  );
});

Deno.test("evaluateClaims: claims 1–4 per configuration, eigen-solve flags, bad input rejected", () => {
  const a = show([flow(), {
    ...ee(),
    eigenSolves: { count: 10, unconverged: 2, worstRelativeResidual: 0.03 },
  }, gdRun(0.2)], "showcase-a");
  const b = show([flow(15), ee(15), gdRun(0.2)], "showcase-b");
  const all = evaluateClaims({ showcases: [a, b], points: [], fits: [] });
  assertEquals(all.map((v) => [v.id, v.appliesTo, v.verdict]), [
    [1, "showcase", "reproduced"],
    [2, "showcase", "reproduced"],
    [3, "showcase", "reproduced"],
    [4, "sweep", "inconclusive"],
  ]);
  assertEquals(all[0].configurations.map((r) => [r.config, r.eigenSolves.status]), [
    ["showcase-a", "flagged"],
    ["showcase-b", "not recorded"],
  ]);
  assertEquals(
    evaluateClaims({ showcases: [b], points: [], fits: [] }, { sharpeningRatio: 100 })[1].verdict,
    "not reproduced",
  );
  assertThrows(
    () => evaluateClaims({ showcases: [], points: [], fits: [] }, { bogus: 1 } as never),
    Error,
    "criteria.bogus",
  );
  assertThrows(
    () => evaluateClaims({ showcases: [a, a], points: [], fits: [] }),
    Error,
    'showcases[1].config: "showcase-a" is not unique',
  );
  assertThrows(
    () =>
      evaluateClaims({
        showcases: [show([{ ...gdRun(0.2), solver: "sgd" as never }])],
        points: [],
        fits: [],
      }),
    Error,
    'showcases[0].runs[0].solver: "sgd" is not one of ee, gd, agd, flow',
  );
});
