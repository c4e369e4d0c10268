import { assertEquals } from "@std/assert";
import { formatValue } from "./benchmark.ts";

Deno.test("formatValue keeps integers and 4 significant digits", () => {
  assertEquals(formatValue(1200), "1200");
  assertEquals(formatValue(0.123456), "0.1235");
  assertEquals(formatValue(1533.27), "1533");
});
