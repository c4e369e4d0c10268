import { assertEquals } from "@std/assert";
import { ConsoleReporter, outcomeLine, progressLine } from "./progress.ts";

Deno.test("progressLine: fraction, rate and ETA from the units done so far", () => {
  // 30 of 120 units in 15 s: 2 units/s, 90 left → 45 s.
  assertEquals(
    progressLine("train", { start: 0, done: 30, total: 120, note: "loss 0.3" }, 15_000),
    "train  30/120 (25%)  2.00/s  ETA 45 s  loss 0.3",
  );
  assertEquals(
    progressLine("fit", { start: 0, done: 0, total: 0, note: "" }, 2500),
    "fit  running 2.5 s",
  );
});

Deno.test("plain (non-terminal) output: start, throttled progress, outcome and summary lines", () => {
  const lines: string[] = [];
  const out = {
    writeSync: (b: Uint8Array) => (lines.push(new TextDecoder().decode(b).trimEnd()), b.length),
  };
  const r = new ConsoleReporter(out, false);
  r.started("a");
  r.progress("a", 1, 10);
  r.progress("a", 10, 10);
  r.log("a", "hello");
  r.finished("a", { kind: "failed", error: "boom" });
  r.summary({
    outcomes: new Map([["a", { kind: "failed", error: "boom" }], ["b", { kind: "fresh" }]]),
    ms: 1234,
  });
  assertEquals(lines.map((l) => l.replace(/ {2}\S+\/s.*$/, "")), [
    "start    a",
    "progress a  10/10 (100%)",
    "[a] hello",
    "FAILED   a: boom",
    "summary  0 ran, 1 fresh, 0 reused, 1 failed, 0 skipped in 1.2 s",
  ]);
  assertEquals(
    outcomeLine("x", { kind: "would-run", reasons: ["param a changed 1 → 2"] }),
    "would run x: param a changed 1 → 2",
  );
});
