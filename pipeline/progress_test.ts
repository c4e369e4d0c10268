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

Deno.test("live (terminal) output: one redrawn line per running stage under the log", () => {
  const writes: string[] = [];
  const out = {
    writeSync: (b: Uint8Array) => (writes.push(new TextDecoder().decode(b)), b.length),
  };
  const r = new ConsoleReporter(out, true);
  r.started("a");
  r.progress("a", 5, 10, "loss 0.5");
  r.log("a", "hello");
  r.log("a", "again");
  r.finished("a", { kind: "ran", ms: 2000 });
  // Each log line prints above the live line: the live line is erased first (cursor up one line,
  // clear to the end) and drawn again below; a finished stage leaves its outcome, no live line.
  const live = "  a  5/10 (50%)  loss 0.5\n";
  assertEquals(writes.map((w) => w.replace(/ {2}\S+\/s {2}ETA \S+ s/, "")), [
    "[a] hello\n",
    live,
    "\x1b[1A\x1b[J",
    "[a] again\n",
    live,
    "\x1b[1A\x1b[J",
    "ran      a (2.0 s)\n",
  ]);
});
