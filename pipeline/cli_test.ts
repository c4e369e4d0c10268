import { assertEquals, assertThrows } from "@std/assert";
import { parseArgs, runCli } from "./cli.ts";

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
  assertThrows(
    () => parseArgs(["--jobs", "x"]),
    Error,
    `--jobs: must be an integer in 1..256, got "x"`,
  );
  assertThrows(() => parseArgs(["--jobs", "257"]), Error, `--jobs: must be an integer in 1..256`);
  assertEquals(parseArgs(["--jobs", "256"]).jobs, 256);
  assertThrows(
    () => parseArgs(["--profile", "ci", "gc", "--dry-run"]),
    Error,
    `"gc" is a command and must come first: pipeline gc --profile ci --dry-run`,
  );
  assertThrows(() => parseArgs(["--from"]), Error, "--from needs a value");
  assertThrows(() => parseArgs(["-x"]), Error, "unknown option -x (see --help)");
  assertThrows(() => parseArgs(["a", "--from", "b"]), Error, "either plainly or with --from");
});

Deno.test("runCli passes --profile and --config to a definition function; dag needs no store", async () => {
  const { defineStage } = await import("./stage.ts");
  const s = defineStage({
    name: "s",
    module: import.meta.url,
    params: {},
    outputs: ["o"],
    run: () => {},
  });
  let seen: unknown;
  const lines: string[] = [];
  const args = ["dag", "--profile", "ci", "--config", "my.json", "--backend", "cpu"];
  const code = await runCli(args, (options) => {
    seen = options;
    return [s.with({})];
  }, { out: (l) => lines.push(l), projectRoot: "/nonexistent", definitionOptions: ["backend"] });
  assertEquals([code, seen, lines], [
    0,
    { profile: "ci", config: "my.json", extra: { backend: "cpu" } },
    ["s"],
  ]);
  const help: string[] = [];
  assertEquals(await runCli(["--help"], [], { out: (l) => help.push(l) }), 0);
  assertEquals(help[0].split("\n")[0], "usage: pipeline [COMMAND] [TARGET...] [OPTIONS]");
});
