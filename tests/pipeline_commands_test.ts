/**
 * End to end: target selection (a stage with its upstream, --only, --from), --force, dag, verify
 * and gc on a real artifacts directory.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { DEFAULT_COUNTS, FixtureProject } from "./pipeline_fixture.ts";
import { ranInstances } from "./cli_runs.ts";

Deno.test("targets, --only, --from and --force select exactly what they say", async () => {
  const p = await FixtureProject.create();
  try {
    // A target brings its upstream up to date, nothing else.
    const one = await p.cli("run", "count[n=1,seed=0]");
    assertEquals(one.code, 0, one.stderr);
    assertEquals(ranInstances(one.stderr), ["count[n=1,seed=0]", "source"]);
    // --only refuses to run upstream: total's other inputs are missing.
    const only = await p.cli("run", "total", "--only");
    assertEquals(only.code, 1);
    assertMatch(
      only.stderr,
      /skipped +total: input not fresh: count\[n=1,seed=1\], count\[n=2,seed=0\]/,
    );
    const all = await p.cli("run");
    assertEquals(ranInstances(all.stderr), [
      "count[n=1,seed=1]",
      "count[n=2,seed=0]",
      "count[n=2,seed=1]",
      "other",
      "total",
    ]);
    // --force reruns the selection only; identical outputs keep downstream fresh.
    const force = await p.cli("run", "source", "--force", "--only");
    assertEquals(ranInstances(force.stderr), ["source"]);
    assertMatch((await p.cli("status")).stdout, /7 fresh, 0 stale, 0 missing/);
    // --from: the target and everything downstream.
    const from = await p.cli("run", "--from", "source", "--force");
    assertEquals(ranInstances(from.stderr), [...DEFAULT_COUNTS, "source", "total"].sort());
    const fresh = await p.cli("run", "--from", "count"); // 5 selected, and source upstream
    assertMatch(fresh.stderr, /summary +0 ran, 6 fresh/);
  } finally {
    await p.dispose();
  }
});

Deno.test("dag prints the graph as text and Mermaid", async () => {
  const p = await FixtureProject.create({ sweep: { n: [1], seed: [0, 1] } });
  try {
    const text = await p.cli("dag");
    assertEquals(text.stdout.trim().split("\n"), [
      "source ← text=data/input.txt",
      "count[n=1,seed=0] ← words=source",
      "count[n=1,seed=1] ← words=source",
      "total ← counts=[count[n=1,seed=0], count[n=1,seed=1]]",
      "other",
    ]);
    const mermaid = await p.cli("dag", "--mermaid");
    assertEquals(mermaid.stdout.trim().split("\n"), [
      "flowchart TD",
      `  s0["source"]`,
      `  s1["count[n=1,seed=0]"]`,
      `  s2["count[n=1,seed=1]"]`,
      `  s3["total"]`,
      `  s4["other"]`,
      `  x0[("data/input.txt")]`,
      "  x0 --> s0",
      "  s0 --> s1",
      "  s0 --> s2",
      "  s1 --> s3",
      "  s2 --> s3",
    ]);
  } finally {
    await p.dispose();
  }
});

Deno.test("verify finds and removes corrupt artifacts; gc removes what nothing references", async () => {
  const p = await FixtureProject.create({ sweep: { n: [1], seed: [0, 1] } });
  try {
    assertEquals((await p.cli("run")).code, 0);
    assertEquals((await p.cli("verify")).stdout.trim(), "5 intact, 0 corrupt");
    // Same size, same mtime: only a full re-hash (not the size+mtime state) can see it.
    const dir = await p.artifactDir("count", "count[n=1,seed=1]");
    const file = `${dir}/count.json`;
    const { mtime } = await Deno.stat(file);
    const text = await Deno.readTextFile(file);
    await Deno.writeTextFile(file, text.replace("seed", "SEED"));
    await Deno.utime(file, mtime!, mtime!);
    const verify = await p.cli("verify");
    assertEquals(verify.code, 1);
    assertMatch(
      verify.stdout,
      /^corrupt count\/[0-9a-f]+: output corrupt: count\.json \(removed\)$/m,
    );
    assertStringIncludes(verify.stdout, "4 intact, 1 corrupt");
    assertMatch(
      (await p.cli("status")).stdout,
      /stale +count\[n=1,seed=1\]: output missing: artifact removed/,
    );
    assertEquals(ranInstances((await p.cli("run")).stderr), ["count[n=1,seed=1]"]);

    // Shrink the sweep and change lr: the seed=1 instance and every superseded artifact go.
    await p.setConfig({ sweep: { n: [1], seed: [0] }, lr: 0.5 });
    assertEquals((await p.cli("run")).code, 0);
    const dry = await p.cli("gc", "--dry-run");
    const listed = dry.stdout.trim().split("\n");
    // Removed: count seed=1 (gone from the pipeline), count seed=0 with lr 0.01 and the first
    // total (both superseded). Kept: source, other, and the current count and total.
    assertEquals(listed.map((l) => l.replace(/[0-9a-f]{20}/, "KEY")), [
      "would remove count/KEY",
      "would remove count/KEY",
      "would remove total/KEY",
      "would remove 3, kept 4",
    ]);
    assertEquals((await p.cli("verify")).stdout.trim(), "7 intact, 0 corrupt");
    const gc = await p.cli("gc");
    assertEquals(gc.stdout.trim().split("\n").at(-1), "removed 3, kept 4");
    assertEquals((await p.cli("verify")).stdout.trim(), "4 intact, 0 corrupt");
    assertMatch((await p.cli("status")).stdout, /4 fresh, 0 stale, 0 missing/);
  } finally {
    await p.dispose();
  }
});
