import { assertEquals, assertThrows } from "@std/assert";
import type { Benchmark } from "./benchmark.ts";
import { chooseBenchmarks, parseBenchOptions } from "./main.ts";

Deno.test("parseBenchOptions reads every option", () => {
  const o = parseBenchOptions([
    "--only",
    "numerics.a,xor",
    "--backend",
    "cpu",
    "--kernel-threads",
    "2",
    "--workers",
    "3",
    "--list",
  ]);
  assertEquals(o, {
    help: false,
    list: true,
    backend: "cpu",
    only: ["numerics.a", "xor"],
    kernelThreads: 2,
    workers: 3,
  });
  assertEquals(parseBenchOptions(["-h"]).help, true);
});

Deno.test("parseBenchOptions names the bad option and the allowed values", () => {
  assertThrows(() => parseBenchOptions(["--onyl", "x"]), Error, "unknown option --onyl");
  assertThrows(() => parseBenchOptions(["numerics"]), Error, "unknown argument numerics");
  assertThrows(() => parseBenchOptions(["--only", ","]), Error, "--only needs at least one name");
  assertThrows(
    () => parseBenchOptions(["--kernel-threads", "two"]),
    Error,
    '--kernel-threads must be an integer in 0..64, got "two"',
  );
  assertThrows(() => parseBenchOptions(["--kernel-threads", "65"]), Error, "0..64");
  assertThrows(() => parseBenchOptions(["--backend", "tpu"]), Error, '"tpu" is not one of');
  assertThrows(
    () => parseBenchOptions(["--workers", "1.5"]),
    Error,
    '--workers must be an integer in 0..64, got "1.5"',
  );
});

Deno.test("chooseBenchmarks matches whole name segments, and the default set without --only", () => {
  const bench = (name: string, byDefault = true): Benchmark => ({
    name,
    description: "",
    byDefault,
    run: () => Promise.resolve(),
  });
  const all = [bench("numerics.a"), bench("numerics.ab"), bench("numerics.b4000", false)];
  const names = (bs: Benchmark[]) => bs.map((b) => b.name);
  assertEquals(names(chooseBenchmarks(all)), ["numerics.a", "numerics.ab"]);
  assertEquals(names(chooseBenchmarks(all, ["numerics.a"])), ["numerics.a"]);
  assertEquals(names(chooseBenchmarks(all, ["numerics"])), all.map((b) => b.name));
  assertEquals(names(chooseBenchmarks(all, ["numerics.b"])), []);
});
