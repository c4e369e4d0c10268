/**
 * End to end: every error a run can meet gives a clear message, and other stages' finished work
 * is kept: a stage that throws, writes outside its outputs, writes an undeclared file, or misses a
 * declared output; a missing external input; bad parameters; unknown targets and options.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";
import { ranInstances } from "./cli_runs.ts";

Deno.test("failing stages: each failure is explained, everything else finishes", async () => {
  const p = await FixtureProject.create({ broken: ["throw", "outside", "undeclared", "missing"] });
  try {
    const r = await p.cli("run", "--jobs", "2");
    assertEquals(r.code, 1);
    assertMatch(
      r.stderr,
      /FAILED +broken\[mode=throw\]: deliberate failure in broken stage \(log: /,
    );
    assertMatch(r.stderr, /FAILED +broken\[mode=outside\]: .*Requires write access/);
    assertStringIncludes(
      r.stderr,
      "(a stage may write only its declared outputs, inside ctx.outDir)",
    );
    assertMatch(
      r.stderr,
      /FAILED +broken\[mode=undeclared\]: wrote undeclared file\(s\) in its output directory: stray\.txt \(declared: out\.bin\)/,
    );
    assertMatch(
      r.stderr,
      /FAILED +broken\[mode=missing\]: did not write declared output\(s\): out\.bin/,
    );
    assertMatch(r.stderr, /\(log: .*\/artifacts\/\.pipeline\/logs\/broken\/[0-9a-f]+\.log\)/);
    assertMatch(r.stderr, /summary +7 ran, 0 fresh, 0 reused, 4 failed, 0 skipped/);
    let escaped = true;
    await Deno.stat(`${p.root}/artifacts/escaped.txt`).catch(() => escaped = false);
    assert(!escaped, "the stage wrote outside its output directory");
    const status = await p.cli("status");
    for (const mode of ["throw", "outside", "undeclared", "missing"]) {
      assertMatch(status.stdout, new RegExp(`^missing +broken\\[mode=${mode}\\]: never run$`, "m"));
    }
    assertMatch(status.stdout, /7 fresh, 0 stale, 4 missing/);
  } finally {
    await p.dispose();
  }
});

Deno.test("a missing external input fails its stage and skips what depends on it", async () => {
  const p = await FixtureProject.create();
  try {
    await Deno.remove(`${p.root}/data/input.txt`);
    const r = await p.cli("run");
    assertEquals(r.code, 1);
    assertMatch(
      r.stderr,
      /FAILED +source: stage source: input "text": data\/input\.txt does not exist/,
    );
    assertMatch(r.stderr, /skipped +count\[n=1,seed=0\]: upstream failed: source/);
    assertMatch(r.stderr, /skipped +total: upstream failed: count\[n=1,seed=0\]/);
    assertEquals(ranInstances(r.stderr), ["other"]);
  } finally {
    await p.dispose();
  }
});

Deno.test("bad parameters, unknown targets and bad options stop before any work (exit 2)", async () => {
  const p = await FixtureProject.create({ sweep: { n: [0, 1], seed: [0] } });
  try {
    const bad = await p.cli("run");
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "stage count: parameter n must be an integer ≥ 1, got 0");
    let artifacts = true;
    await Deno.stat(`${p.root}/artifacts`).catch(() => artifacts = false);
    assert(!artifacts, "work started despite a bad parameter");
    await p.setConfig({});
    const target = await p.cli("run", "nosuch");
    assertEquals(target.code, 2);
    assertStringIncludes(
      target.stderr,
      `unknown target "nosuch" (stages: source, count, total, other)`,
    );
    const option = await p.cli("run", "--jobs", "0");
    assertEquals(option.code, 2);
    assertStringIncludes(option.stderr, `--jobs: must be an integer in 1..256, got "0"`);
    const unknown = await p.cli("--frobnicate");
    assertEquals(unknown.code, 2);
    assertStringIncludes(unknown.stderr, "unknown option --frobnicate (see --help)");
  } finally {
    await p.dispose();
  }
});
