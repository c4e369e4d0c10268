import { assertEquals } from "@std/assert";
import { formatValue, mean, median, quantile } from "./benchmark.ts";

Deno.test("mean, median and quantile of small samples, by hand", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(mean([3, 1, 2, 10]), 4);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  // Order statistics 10, 20, 30, 40, 50: q·4 is the position between them.
  const xs = [50, 10, 40, 20, 30];
  assertEquals(quantile(xs, 0), 10);
  assertEquals(quantile(xs, 1), 50);
  assertEquals(quantile(xs, 0.5), 30);
  assertEquals(quantile(xs, 0.9), 46);
  assertEquals(quantile(xs, 0.1), 14);
  assertEquals(quantile([7], 0.9), 7);
  // The sample itself is left as it was.
  assertEquals(xs, [50, 10, 40, 20, 30]);
});

Deno.test("formatValue keeps integers and 4 significant digits", () => {
  assertEquals(formatValue(1200), "1200");
  assertEquals(formatValue(0.123456), "0.1235");
  assertEquals(formatValue(1533.27), "1533");
});
