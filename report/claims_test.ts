import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { evaluateClaims } from "./claims.ts";
import { combineChecks, DEFAULT_CRITERIA } from "./claim_verdict.ts";
import { checkClaimEos } from "./claim_eos.ts";
import { checkClaimSharpening } from "./claim_sharpening.ts";
import { checkClaimAlignment } from "./claim_alignment.ts";
import { checkClaimPowerLaw } from "./claim_power_law.ts";
import { flowRun, flowSharpness, gdRun } from "./fixtures_test_support.ts";
import type { FitRow, RunTables, SweepPoint } from "./tables.ts";

const c = DEFAULT_CRITERIA;
const flow = () => flowRun("flow", "flow", 30, 0.01, 50);
const ee = () => flowRun("ee", "ee");
/** Applies f to every measurement row of a copy of run. */
const mapMeasurements = (run: RunTables, f: (r: Record<string, number>) => void): RunTables => ({
  ...run,
  measurements: run.measurements.map((r) => {
    const copy = { ...r } as Record<string, number>;
    f(copy);
    return copy as RunTables["measurements"][number];
  }),
});

Deno.test("combineChecks: failure beats missing data, missing data beats passes", () => {
  const pass = { ok: true, reason: "p" }, fail = { ok: false, reason: "f" };
  const missing = { ok: undefined, reason: "m" };
  assertEquals(combineChecks([pass, missing, fail]), { verdict: "not reproduced", reason: "f" });
  assertEquals(combineChecks([pass, missing]), { verdict: "inconclusive", reason: "m" });
  assertEquals(combineChecks([pass, pass]), { verdict: "reproduced", reason: "p; p" });
  assertEquals(combineChecks([]).verdict, "inconclusive");
});

Deno.test("claim 1 reproduced: GD at 2/η = 10 and 13.3 (< flow peak 20) sits at 2/η and leaves the flow", () => {
  const v = checkClaimEos([flow(), ee(), gdRun(0.2), gdRun(0.15)], c);
  assertEquals(v.verdict, "reproduced", v.reason);
  assertEquals(v.numbers["GD runs with 2/η below the peak"], 2);
  // Flow peak at t = 30: 2 + 18(1 − e^{−6}).
  assertEquals(v.numbers["flow peak sharpness"], flowSharpness(30));
  const ratio = v.numbers["GD η=0.2: median sharpness after crossing / (2/η)"] as number;
  assert(Math.abs(ratio - 1) <= 0.03, `median ratio ${ratio} inside the ±3% oscillation`);
  // The first measurement ≥ 0.9·10 is where 2 + 18(1 − e^{−t/5}) ≥ 9, t ≥ 5 ln(18/11) = 2.46.
  const tCross = v.numbers["GD η=0.2: t at crossing"] as number;
  assert(tCross >= 5 * Math.log(18 / 11) && tCross < 5 * Math.log(18 / 11) + 0.2, `${tCross}`);
  assertEquals(v.numbers["EE: steps where the loss rises"], 0);
});

Deno.test("claim 1 not reproduced: a GD run that follows the flow past 2/η, or an EE loss rise", () => {
  const noEos = mapMeasurements(gdRun(0.2), (r) => (r.sharpness = flowSharpness(r.t)));
  const v = checkClaimEos([flow(), ee(), noEos], c);
  assertEquals(v.verdict, "not reproduced");
  assertStringIncludes(v.reason, "GD η=0.2 does not enter EoS");

  const bumpy = ee();
  bumpy.trajectory[100] = { ...bumpy.trajectory[100], loss: bumpy.trajectory[99].loss * 1.01 };
  const w = checkClaimEos([flow(), bumpy, gdRun(0.2)], c);
  assertEquals(w.verdict, "not reproduced");
  assertStringIncludes(w.reason, "EE's loss rises at 1 steps");

  const onFlowLoss = gdRun(0.2);
  onFlowLoss.trajectory = onFlowLoss.trajectory.map((r) => ({ ...r, loss: Math.exp(-r.t / 3) }));
  const y = checkClaimEos([flow(), ee(), onFlowLoss], c);
  assertEquals(y.verdict, "not reproduced");
  assertStringIncludes(y.reason, "GD η=0.2 does not depart from the flow");
  // Exact same closed form: the gap is linear-interpolation error only, far below 0.1.
  assert((y.numbers["GD η=0.2: max relative loss gap vs flow after crossing"] as number) < 1e-4);

  const capped = mapMeasurements(ee(), (r) => (r.sharpness = Math.min(r.sharpness, 10.5)));
  const x = checkClaimEos([flow(), capped, gdRun(0.2)], c);
  assertEquals(x.verdict, "not reproduced");
  assertStringIncludes(x.reason, "not above 1.1× the smallest 2/η");
});

Deno.test("claim 1 inconclusive: no GD run below the peak, no GD, a GD run too short", () => {
  const high = checkClaimEos([flow(), ee(), gdRun(0.05)], c); // 2/η = 40 > 20
  assertEquals(high.verdict, "inconclusive");
  assertStringIncludes(high.reason, "no GD run has 2/η below the flow's peak sharpness");
  // 2/η = 19: below the peak 2 + 18(1 − e^{−6}) ≈ 19.96, but within 10% of it.
  const close = checkClaimEos([flow(), ee(), gdRun(2 / 19)], c);
  assertEquals(close.verdict, "inconclusive");
  assertEquals(close.numbers["GD runs with 2/η below the peak"], 1);
  assertEquals(close.numbers["of which the flow's peak exceeds 2/η by more than the band"], 0);
  assertEquals(checkClaimEos([flow(), ee()], c).verdict, "inconclusive");
  assertEquals(checkClaimEos([], c).verdict, "inconclusive");
  // The flow reaches 10 at t = 5 ln 1.8 ≈ 2.94; a GD run that stops at t = 2 cannot tell.
  const short = checkClaimEos([flow(), ee(), gdRun(0.2, 2)], c);
  assertEquals(short.verdict, "inconclusive", short.reason);
  assertStringIncludes(short.reason, "before the flow's sharpness reaches 2/η");
});

Deno.test("claim 2: reproduced on the fixture; each failing part and missing data detected", () => {
  const ok = checkClaimSharpening([ee()], c);
  assertEquals(ok.verdict, "reproduced", ok.reason);
  assertEquals(ok.numbers["EE: initial sharpness"], 2);
  assertEquals(ok.numbers["EE: fraction of measurements where layer 1's block is the largest"], 1);
  const ratio = ok.numbers["EE: mean λ¹(G)/λ¹(ℋ), second half"] as number;
  assert(Math.abs(ratio - 0.98) < 1e-12, `${ratio}`);

  const weakG = mapMeasurements(ee(), (r) => (r.lambda_G = 0.5 * r.sharpness));
  assertStringIncludes(checkClaimSharpening([weakG], c).reason, "is not in [0.9, 1.1]");
  const layer2 = mapMeasurements(ee(), (r) => (r.lambda_G_layer_2 = 0.8 * r.lambda_G));
  assertEquals(checkClaimSharpening([layer2], c).verdict, "not reproduced");
  const flat = mapMeasurements(ee(), (r) => (r.sharpness = 2 + 0.001 * r.t));
  assertEquals(checkClaimSharpening([flat], c).verdict, "not reproduced");

  const noLayers = mapMeasurements(ee(), (r) => {
    delete r.lambda_G_layer_1, delete r.lambda_G_layer_2, delete r.lambda_G_layer_3;
  });
  const v = checkClaimSharpening([noLayers], c);
  assertEquals(v.verdict, "inconclusive");
  assertStringIncludes(v.reason, "lacks per-layer blocks");
  assertEquals(checkClaimSharpening([flow(), gdRun(0.2)], c).verdict, "inconclusive");
});

Deno.test("claim 3: rising alignment correlates with sharpness; falling does not; too few points", () => {
  const ok = checkClaimAlignment([ee()], c);
  assertEquals(ok.verdict, "reproduced", ok.reason);
  // a and S are both increasing functions of t: rank correlation exactly 1.
  assertEquals(ok.numbers["EE: Spearman(alignment, sharpness)"], 1);
  const a0 = ok.numbers["EE: initial alignment"] as number;
  assertEquals(a0, 0.2);

  const falling = mapMeasurements(ee(), (r) => (r.align_mean = 0.8 - 0.01 * r.t));
  const f = checkClaimAlignment([falling], c);
  assertEquals(f.verdict, "not reproduced");
  assertEquals(f.numbers["EE: Spearman(alignment, sharpness)"], -1);

  const few = { ...ee(), measurements: ee().measurements.slice(0, 4) };
  assertEquals(checkClaimAlignment([few], c).verdict, "inconclusive");
  const none = mapMeasurements(ee(), (r) => delete r.align_mean);
  assertStringIncludes(checkClaimAlignment([none], c).reason, "0 measurements");
});

const sizes = [64, 128, 256, 512, 1024];
function powerPoints(config: string, ns = sizes): SweepPoint[] {
  return ns.flatMap((N) =>
    [0, 1, 2].map((seed) => ({ config, N, seed, alignment: 0.05 * N ** 0.3 * (1 + 0.02 * seed) }))
  );
}
const fit = (config: string, over: "seeds" | "means", r2: number, lo = 0.25): FitRow => ({
  config,
  over,
  beta: 0.3,
  beta_ci_low: lo,
  beta_ci_high: 0.35,
  c: 0.05,
  r2,
  points: over === "seeds" ? 15 : 5,
});

Deno.test("claim 4: per-configuration β and R² against the paper's lowest 0.74", () => {
  const points = [...powerPoints("a"), ...powerPoints("b")];
  const good = [fit("a", "seeds", 0.9), fit("a", "means", 0.99), fit("b", "seeds", 0.75)];
  const ok = checkClaimPowerLaw(points, good, c);
  assertEquals(ok.verdict, "reproduced", ok.reason);
  assertEquals(ok.numbers["a: R² (over seeds)"], 0.9);
  assertEquals(ok.numbers["a: R² (over means)"], 0.99);
  assertEquals(ok.numbers["b: dataset sizes"], 5);

  const lowR2 = checkClaimPowerLaw(points, [fit("a", "seeds", 0.9), fit("b", "seeds", 0.6)], c);
  assertEquals(lowR2.verdict, "not reproduced");
  assertStringIncludes(lowR2.reason, "b (over seeds)");
  assertStringIncludes(lowR2.reason, "R² < 0.74");
  const flatBeta = checkClaimPowerLaw(powerPoints("a"), [fit("a", "seeds", 0.9, -0.1)], c);
  assertStringIncludes(flatBeta.reason, "β's interval is not above 0");

  const two = checkClaimPowerLaw(powerPoints("a", [64, 128]), [fit("a", "seeds", 0.99)], c);
  assertEquals(two.verdict, "inconclusive");
  assertStringIncludes(two.reason, "2 dataset sizes (needs 3)");
  assertEquals(checkClaimPowerLaw([], [], c).verdict, "inconclusive");
  const noCi = checkClaimPowerLaw(powerPoints("a"), [fit("a", "seeds", 0.9, NaN)], c);
  assertEquals([noCi.verdict, noCi.reason], [
    "inconclusive",
    "a (over seeds): β, its interval or R² is not finite",
  ]);
  assertEquals(checkClaimPowerLaw(powerPoints("a"), [], c).verdict, "inconclusive");
});

Deno.test("evaluateClaims returns claims 1–4 and rejects bad criteria and runs", () => {
  const all = evaluateClaims({
    runs: [flow(), ee(), gdRun(0.2)],
    points: powerPoints("a"),
    fits: [fit("a", "seeds", 0.9)],
  });
  assertEquals(all.map((v) => [v.id, v.verdict]), [
    [1, "reproduced"],
    [2, "reproduced"],
    [3, "reproduced"],
    [4, "reproduced"],
  ]);
  const strict = evaluateClaims({ runs: [ee()], points: [], fits: [] }, { sharpeningRatio: 100 });
  assertEquals(strict[1].verdict, "not reproduced");
  assertThrows(
    () => evaluateClaims({ runs: [], points: [], fits: [] }, { bogus: 1 } as never),
    Error,
    "criteria.bogus",
  );
  assertThrows(
    () =>
      evaluateClaims({
        runs: [{ ...gdRun(0.2), solver: "sgd" as never }],
        points: [],
        fits: [],
      }),
    Error,
    'runs[0].solver: "sgd" is not one of ee, gd, agd, flow',
  );
});
