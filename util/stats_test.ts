import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { averageRanks, interpolate, mean, median, pearson, quantile, spearman } from "./stats.ts";

Deno.test("mean and median of hand-computed cases", () => {
  assertEquals(mean([1, 2, 3, 6]), 3);
  assertEquals(median([5, 1, 3]), 3);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(mean([3, 1, 2, 10]), 4);
  assertThrows(() => median([]), Error, "median");
});

Deno.test("quantile interpolates between order statistics, by hand", () => {
  // Order statistics 10, 20, 30, 40, 50: q·4 is the position between them.
  const xs = [50, 10, 40, 20, 30];
  assertEquals(quantile(xs, 0), 10);
  assertEquals(quantile(xs, 1), 50);
  assertEquals(quantile(xs, 0.5), 30);
  assertEquals(quantile(xs, 0.9), 46);
  assertEquals(quantile(xs, 0.1), 14);
  assertEquals(quantile([7], 0.9), 7);
  assertThrows(() => quantile([], 0.5), Error, "quantile");
  // The sample itself is left as it was.
  assertEquals(xs, [50, 10, 40, 20, 30]);
});

Deno.test("pearson: exact lines give ±1, a hand-computed case, constant series give NaN", () => {
  assertAlmostEquals(pearson([1, 2, 3], [2, 4, 6]), 1, 1e-15);
  assertAlmostEquals(pearson([1, 2, 3], [3, 2, 1]), -1, 1e-15);
  // x = 1,2,3,4; y = 1,3,2,4: sxy = 4, sxx = 5, syy = 5 → 0.8.
  assertAlmostEquals(pearson([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, 1e-15);
  assertEquals(pearson([1, 1, 1], [1, 2, 3]), NaN);
});

Deno.test("spearman uses average ranks for ties and sees monotone non-linear relations as 1", () => {
  assertEquals(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assertAlmostEquals(spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 125]), 1, 1e-15);
  // ranks x = 1,2,3,4; y = 1,2.5,2.5,4 (tie): sxy = 4.5, sxx = 5, syy = 4.5 → √0.9.
  assertAlmostEquals(spearman([1, 2, 3, 4], [0, 7, 7, 9]), Math.sqrt(0.9), 1e-15);
});

Deno.test("interpolate is linear between points and undefined outside them", () => {
  const xs = [0, 1, 3], ys = [0, 10, 30];
  assertEquals(interpolate(xs, ys, 0.5), 5);
  assertEquals(interpolate(xs, ys, 2), 20);
  assertEquals(interpolate(xs, ys, 3), 30);
  assertEquals(interpolate(xs, ys, -0.1), undefined);
  assertEquals(interpolate(xs, ys, 3.1), undefined);
  assertEquals(interpolate([], [], 0), undefined);
});
