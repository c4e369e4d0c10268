/**
 * Claim 4 on hand-made sweep points and fits: each verdict, each inconclusive reason (too few
 * sizes, too narrow a span, too few seeds, not informative by alignment or by steps, not
 * recorded, no per-seed fit, a non-finite fit), and the informative rule's medians by hand.
 */
import { assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { DEFAULT_CRITERIA } from "./claim_verdict.ts";
import {
  checkClaimPowerLaw,
  checkPowerLawConfiguration,
  informativeness,
} from "./claim_power_law.ts";
import type { FitRow, SweepPoint } from "./tables.ts";

const c = DEFAULT_CRITERIA;
const SIZES = [32, 64, 128, 256, 512]; // 5 sizes, 16×

/** A grid of runs whose final alignment is 0.05·N^0.3 and moved by `rise` from the start. */
function grid(
  config: string,
  opts: { sizes?: number[]; seeds?: number[]; rise?: number; steps?: number } = {},
): SweepPoint[] {
  const { sizes = SIZES, seeds = [0, 1, 2], rise = 1.5, steps = 300 } = opts;
  return sizes.flatMap((N) =>
    seeds.map((seed) => {
      const alignment = 0.05 * N ** 0.3 * (1 + 0.02 * seed);
      return {
        config,
        N,
        seed,
        alignment,
        initialAlignment: alignment / rise,
        steps,
        stopReason: "lossBelow",
      };
    })
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
const judge = (points: SweepPoint[], fits = [fit("a", "seeds", 0.9)]) =>
  checkPowerLawConfiguration("a", points, fits, c);

Deno.test("claim 4 reproduced: 5 sizes over 16×, 3 seeds, informative, β above 0 and R² ≥ 0.74", () => {
  const v = judge(grid("a"), [fit("a", "seeds", 0.9), fit("a", "means", 0.99)]);
  assertEquals([v.verdict, v.reason], ["reproduced", "β = 0.3 [0.25, 0.35], R² = 0.9"]);
  assertEquals(v.informative, true);
  assertEquals(v.numbers["dataset sizes"], "32, 64, 128, 256, 512");
  assertEquals(v.numbers["size span (largest / smallest)"], 16);
  assertEquals(v.numbers["seeds at each size (fewest)"], 3);
  assertAlmostEquals(v.numbers["median |ln(final/initial alignment)|"] as number, Math.log(1.5));
  assertEquals(v.numbers["median steps"], 300);
  assertEquals(v.numbers["runs stopped by"], "lossBelow: 15");
  assertEquals(v.unjudged["R² over per-N means"], 0.99);
  // A higher R² than the paper's highest (0.98) is not a contradiction.
  assertEquals(judge(grid("a"), [fit("a", "seeds", 0.995)]).verdict, "reproduced");
});

Deno.test("claim 4 not reproduced: β's interval touches 0, or R² below 0.74", () => {
  const low = judge(grid("a"), [fit("a", "seeds", 0.6)]);
  assertEquals([low.verdict, low.reason], [
    "not reproduced",
    "β = 0.3 [0.25, 0.35], R² = 0.6: R² < 0.74",
  ]);
  const flat = judge(grid("a"), [fit("a", "seeds", 0.9, -0.1)]);
  assertStringIncludes(flat.reason, "β's interval is not above 0");
});

Deno.test("claim 4 inconclusive: the design cannot show a power law", () => {
  const four = judge(grid("a", { sizes: [32, 64, 128, 512] }));
  assertEquals([four.verdict, four.reason], ["inconclusive", "4 sizes (needs 5)"]);
  const narrow = judge(grid("a", { sizes: [32, 48, 64, 96, 128] }));
  assertEquals(narrow.reason, "sizes span 4× (needs 16×)");
  const twoSeeds = judge(grid("a", { seeds: [0, 1] }));
  assertEquals(twoSeeds.reason, "2 seeds at a size (needs 3)");
  // One size with a missing seed counts as too few seeds.
  const holed = judge(grid("a").filter((p) => !(p.N === 128 && p.seed === 2)));
  assertEquals(holed.reason, "2 seeds at a size (needs 3)");
  assertEquals(
    judge([], []).reason,
    "0 sizes (needs 5); sizes span 0× (needs 16×); 0 seeds at a size (needs 3); the initial alignment or the steps of its runs are not recorded; no fit over per-seed points",
  );
});

Deno.test("claim 4 inconclusive: a configuration whose runs did not train is not informative", () => {
  const still = judge(grid("a", { rise: 1.05 }));
  assertEquals(still.verdict, "inconclusive");
  assertEquals(still.informative, false);
  assertStringIncludes(
    still.reason,
    "not informative: median |ln(final/initial alignment)| 0.04879 (needs ≥ ln 1.1 = 0.09531), median steps 300 (needs ≥ 100)",
  );
  // Falling alignment counts as moving: |ln| is symmetric.
  assertEquals(judge(grid("a", { rise: 1 / 1.5 })).verdict, "reproduced");
  const short = judge(grid("a", { steps: 41 }));
  assertEquals([short.verdict, short.informative], ["inconclusive", false]);
  assertStringIncludes(short.reason, "median steps 41 (needs ≥ 100)");
  const unknown = judge(grid("a").map(({ initialAlignment: _, ...p }) => p));
  assertEquals(unknown.reason, "the initial alignment or the steps of its runs are not recorded");
  assertEquals(unknown.informative, undefined);
  assertEquals(unknown.numbers["median |ln(final/initial alignment)|"], "not recorded");
});

Deno.test("claim 4 inconclusive: no per-seed fit, or a fit that is not finite", () => {
  assertEquals(judge(grid("a"), [fit("a", "means", 0.99)]).reason, "no fit over per-seed points");
  assertEquals(
    judge(grid("a"), [fit("a", "seeds", 0.9, NaN)]).reason,
    "β, its interval or R² is not finite",
  );
});

Deno.test("informativeness: medians over runs, by hand", () => {
  // |ln| of the changes 1.2, 1/1.05, 1.3 → median ln 1.2; steps 50, 150, 400 → median 150.
  const pts: SweepPoint[] = [[1.2, 50], [1 / 1.05, 150], [1.3, 400]].map(([r, steps], seed) => ({
    config: "a",
    N: 10,
    seed,
    alignment: 0.5 * r,
    initialAlignment: 0.5,
    steps,
  }));
  const i = informativeness(pts, c);
  assertAlmostEquals(i.medianLogChange as number, Math.log(1.2), 1e-12);
  assertEquals([i.medianSteps, i.informative], [150, true]);
  assertEquals(informativeness(pts, { ...c, informativeSteps: 151 }).informative, false);
});

Deno.test("claim 4 over configurations: non-informative ones do not count", () => {
  const points = [...grid("a"), ...grid("b", { rise: 1.01 }), ...grid("d")];
  const fits = [fit("a", "seeds", 0.9), fit("b", "seeds", 0.2), fit("d", "seeds", 0.5)];
  const v = checkClaimPowerLaw(points, fits, c);
  assertEquals(v.configurations.map((r) => [r.config, r.verdict]), [
    ["a", "reproduced"],
    ["b", "inconclusive"],
    ["d", "not reproduced"],
  ]);
  assertEquals([v.verdict, v.reason], [
    "partly reproduced",
    "holds in a; fails in d; inconclusive in b",
  ]);
  assertEquals(checkClaimPowerLaw(points, fits.slice(0, 2), c).verdict, "reproduced");
  assertEquals(checkClaimPowerLaw(grid("b", { rise: 1.01 }), fits, c).configurations.length, 3);
  assertEquals(checkClaimPowerLaw([], [], c).reason, "no sweep configuration");
});
