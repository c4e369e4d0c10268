import { assertEquals, assertThrows } from "@std/assert";
import { parameterCount, parameterLayout } from "./layout.ts";

Deno.test("layout of a 2-3-1 MLP, counted by hand", () => {
  // A¹: 3×2 = 6 values at 0..5, b¹: 3 at 6..8, A²: 1×3 at 9..11, b²: 1 at 12.
  assertEquals(parameterLayout([2, 3, 1]), [
    { rows: 3, cols: 2, weightOffset: 0, biasOffset: 6, end: 9 },
    { rows: 1, cols: 3, weightOffset: 9, biasOffset: 12, end: 13 },
  ]);
  assertEquals(parameterCount([784, 200, 200, 10]), 784 * 200 + 200 + 200 * 200 + 200 + 2010);
});

Deno.test("rejects fewer than two widths and non-positive widths", () => {
  assertThrows(() => parameterLayout([5]), Error, "sizes");
  assertThrows(() => parameterLayout([5, 0, 2]), Error, "sizes");
});
