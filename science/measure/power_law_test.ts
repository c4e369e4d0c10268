import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { Rng } from "../../util/rng.ts";
import { fitPowerLaw, olsLine } from "./power_law.ts";

Deno.test("power law: hand-computed OLS on ln N = 0, 1, 2 and ln ā = 0, 2, 3", () => {
  // x̄ = 1, ȳ = 5/3, Sxy = 3, Sxx = 2 ⇒ β = 3/2, ln c = 1/6, residuals (−1/6, 1/3, −1/6),
  // SS_res = 1/6, SS_tot = 14/3 ⇒ R² = 27/28.
  const points = [0, 1, 2].map((x, i) => ({ n: Math.exp(x), alignment: Math.exp([0, 2, 3][i]) }));
  const fit = fitPowerLaw(points).perSeed;
  assertAlmostEquals(fit.beta, 1.5, 1e-12);
  assertAlmostEquals(fit.c, Math.exp(1 / 6), 1e-12);
  assertAlmostEquals(fit.r2, 27 / 28, 1e-12);
  [-1 / 6, 1 / 3, -1 / 6].forEach((r, i) => assertAlmostEquals(fit.residuals[i], r, 1e-12));
  assertEquals(fit.points, 3);
});

Deno.test("power law: recovers a known β and R² per seed, and per-N means", () => {
  const beta = 0.37, c = 0.02, delta = 0.1;
  const ns = [100, 200, 400, 800, 1600];
  // Two seeds per N with ln-residuals ±δ: orthogonal to 1 and ln N, so OLS returns β exactly.
  const points = ns.flatMap((n) =>
    [1, -1].map((sign, seed) => ({ n, seed, alignment: c * n ** beta * Math.exp(sign * delta) }))
  );
  const result = fitPowerLaw(points);
  const mean = ns.reduce((s, n) => s + Math.log(n), 0) / ns.length;
  const sxx = 2 * ns.reduce((s, n) => s + (Math.log(n) - mean) ** 2, 0);
  const r2 = beta * beta * sxx / (beta * beta * sxx + points.length * delta * delta);
  assertAlmostEquals(result.perSeed.beta, beta, 1e-12);
  assertAlmostEquals(result.perSeed.c, c, 1e-12);
  assertAlmostEquals(result.perSeed.r2, r2, 1e-12);
  assertEquals(result.perSeed.points, 10);
  // The mean over seeds is c·N^β·cosh δ: an exact power law with the same β.
  assertAlmostEquals(result.perNMean.beta, beta, 1e-12);
  assertAlmostEquals(result.perNMean.c, c * Math.cosh(delta), 1e-12);
  assertAlmostEquals(result.perNMean.r2, 1, 1e-12);
  assertEquals(result.perNMean.points, 5);
  assertEquals(result.means.map((m) => m.n), ns);
});

Deno.test("power law: bootstrap interval is seeded, brackets β, and is a point without noise", () => {
  const exact = [10, 20, 40, 80].map((n) => ({ n, alignment: 3 * n ** -0.5 }));
  const ci = fitPowerLaw(exact).perSeed.betaCi95;
  assertAlmostEquals(ci[0], -0.5, 1e-12);
  assertAlmostEquals(ci[1], -0.5, 1e-12);
  const rng = new Rng(3);
  const noisy = [64, 128, 256, 512, 1024].flatMap((n) =>
    [0, 1, 2, 3].map((seed) => ({
      n,
      seed,
      alignment: 0.1 * n ** 0.3 * Math.exp(0.05 * rng.normal()),
    }))
  );
  const a = fitPowerLaw(noisy, { seed: 1 }), b = fitPowerLaw(noisy, { seed: 1 });
  assertEquals(a.perSeed.betaCi95, b.perSeed.betaCi95);
  const [lo, hi] = a.perSeed.betaCi95;
  assert(lo < a.perSeed.beta && a.perSeed.beta < hi, `${lo} < ${a.perSeed.beta} < ${hi}`);
  assert(lo < 0.3 && 0.3 < hi, `true β inside [${lo}, ${hi}]`);
  const other = fitPowerLaw(noisy, { seed: 2 }).perSeed.betaCi95;
  assert(other[0] !== lo || other[1] !== hi, "another seed, another resampling");
});

Deno.test("power law: clear errors for too few N and non-positive values", () => {
  const two = [{ n: 10, alignment: 0.1 }, { n: 10, alignment: 0.2 }, { n: 20, alignment: 0.3 }];
  assertThrows(() => fitPowerLaw(two), Error, "needs ≥ 3 distinct dataset sizes N, got 2");
  const base = [{ n: 10, alignment: 0.1 }, { n: 20, alignment: 0.2 }];
  assertThrows(
    () => fitPowerLaw([...base, { n: 40, alignment: 0 }]),
    Error,
    "point 2 (N = 40) has alignment 0",
  );
  assertThrows(
    () => fitPowerLaw([...base, { n: -4, alignment: 0.3 }]),
    Error,
    "point 2 has N = -4",
  );
  assertThrows(() => fitPowerLaw([...base, { n: 40, alignment: NaN }]), Error, "alignment NaN");
  assertThrows(() => olsLine([1, 1], [2, 3]), Error, "2 distinct values");
  assertThrows(
    () => fitPowerLaw([...base, { n: 40, alignment: 1 }], { resamples: 5 }),
    Error,
    "resamples",
  );
});
