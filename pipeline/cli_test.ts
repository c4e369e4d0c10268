import { assertEquals, assertThrows } from "@std/assert";
import { parseArgs } from "./cli.ts";

Deno.test("parseArgs: command, targets and options", () => {
  const p = parseArgs(["status", "train", "--jobs=3", "--artifacts", "out"]);
  assertEquals([p.command, p.targets, p.jobs, p.artifacts], ["status", ["train"], 3, "out"]);
  const r = parseArgs([
    "--from",
    "a",
    "--from",
    "b",
    "--force",
    "--dry-run",
    "--only",
    "--profile",
    "ci",
  ]);
  assertEquals([r.command, r.from, r.force, r.dryRun, r.only, r.profile], [
    "run",
    ["a", "b"],
    true,
    true,
    true,
    "ci",
  ]);
  assertEquals(parseArgs([]).jobs, navigator.hardwareConcurrency);
});

Deno.test("parseArgs: bad input names the option", () => {
  assertThrows(() => parseArgs(["--jobs", "x"]), Error, `--jobs must be an integer ≥ 1, got "x"`);
  assertThrows(() => parseArgs(["--from"]), Error, "--from needs a value");
  assertThrows(() => parseArgs(["-x"]), Error, "unknown option -x (see --help)");
  assertThrows(() => parseArgs(["a", "--from", "b"]), Error, "either plainly or with --from");
});
