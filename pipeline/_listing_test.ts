import { assertEquals } from "@std/assert";
import { abbreviateList, groupedLines, LIST_LIMIT, stageOf } from "./_listing.ts";

Deno.test("abbreviateList: the first three and a count; everything when verbose", () => {
  assertEquals(abbreviateList(["a", "b", "c"]), "a, b, c");
  assertEquals(abbreviateList(["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
  assertEquals(abbreviateList(["a", "b", "c", "d", "e"], true), "a, b, c, d, e");
});

Deno.test("groupedLines: few lines as they are; many grouped by stage and group", () => {
  const few = [{ stage: "a", group: "x", text: "1" }, { stage: "b", group: "x", text: "2" }];
  assertEquals(groupedLines(few, false), ["1", "2"]);
  const many = Array.from({ length: LIST_LIMIT + 5 }, (_, i) => ({
    stage: i < 2 ? "data" : "train",
    group: "stale",
    text: `line ${i}`,
  }));
  assertEquals(groupedLines(many, false), [
    "line 0",
    "line 1",
    "line 2",
    "line 3",
    "line 4",
    `         and ${LIST_LIMIT + 5 - 2 - 3} more train stale (--verbose lists all)`,
  ]);
  assertEquals(groupedLines(many, true).length, LIST_LIMIT + 5);
  assertEquals(stageOf("train[n=1,seed=0]"), "train");
  assertEquals(stageOf("report"), "report");
});
