import { assertEquals, assertThrows } from "@std/assert";
import { shardPlan } from "./shards.ts";

const counts = (n: number, p: number) => shardPlan(n, p).length;

Deno.test("shardPlan: ≥ 128 rows and ≥ 2²¹ multiply-adds a shard, a count of 1, 2, 4, 6, 8, 12, 16", () => {
  assertEquals(counts(1000, 199_210), 6, "config b: 1000/8 = 125 rows is too few, 1000/6 = 166");
  assertEquals(counts(512, 11_650), 2, "config a: 2²¹/11 650 = 180 rows, so 256 (2 shards)");
  assertEquals(counts(128, 33_666), 1, "the XOR net's 128 points");
  assertEquals(counts(5000, 2_000_000), 16, "at most 16");
  assertEquals(counts(1, 10), 1);
});

Deno.test("shardPlan: contiguous, covering, as equal as whole rows allow", () => {
  const plan = shardPlan(1000, 199_210);
  assertEquals(plan[0].start, 0);
  assertEquals(plan.at(-1)!.end, 1000);
  plan.slice(1).forEach((s, i) => assertEquals(s.start, plan[i].end));
  const sizes = plan.map((s) => s.end - s.start);
  assertEquals(Math.max(...sizes) - Math.min(...sizes) <= 1, true);
});

Deno.test("shardPlan: rows override the rule; bad values are clear errors", () => {
  assertEquals(shardPlan(7, 100, 3), [{ start: 0, end: 3 }, { start: 3, end: 6 }, {
    start: 6,
    end: 7,
  }]);
  assertThrows(() => shardPlan(7, 100, 0), Error, "shardRows: must be a positive integer, got 0");
  assertThrows(() => shardPlan(0, 100), Error, "n: must be an integer ≥ 1, got 0");
});
