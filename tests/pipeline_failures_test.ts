/**
 * End to end: after a failure the rest is still written — a stage declared `partialInputs` (a
 * report) runs from what finished, told every failed instance and its reason, and is not rerun
 * while the same failures stand; a failure is one line (the stack only with --verbose); and a
 * stage's `latest` link never points at another configuration's artifact.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";
import { ranInstances } from "./cli_runs.ts";

async function latestKey(p: FixtureProject, stage: string): Promise<string | null> {
  return await Deno.readLink(`${p.root}/artifacts/${stage}/latest`).catch(() => null);
}

Deno.test("a report runs from what finished and names each failure; no stack without --verbose", async () => {
  const p = await FixtureProject.create({ broken: ["throw", "missing"], digest: true });
  try {
    const r = await p.cli("run");
    assertEquals(r.code, 1);
    assertMatch(
      r.stderr,
      /^FAILED +broken\[mode=throw\]: deliberate failure in broken stage \(log: [^\n]*\.log\)$/m,
    );
    assert(!/^\s+at /m.test(r.stderr), `a stack trace without --verbose:\n${r.stderr}`);
    assert(ranInstances(r.stderr).includes("digest"), r.stderr);
    const dir = await p.artifactDir("digest", "digest");
    const digest = JSON.parse(await Deno.readTextFile(`${dir}/digest.json`));
    assertEquals(digest.counts.length, 4, "every finished count is an input");
    assertEquals(digest.broken, [], "the failed instances are left out");
    assertEquals(digest.failures, [
      {
        id: "broken[mode=missing]",
        outcome: "failed",
        reason: "did not write declared output(s): out.bin",
      },
      { id: "broken[mode=throw]", outcome: "failed", reason: "deliberate failure in broken stage" },
    ]);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    assertEquals(manifest.failures, digest.failures, "the failures are part of the key");
    assertEquals(await latestKey(p, "digest"), manifest.key);

    // The same failures again: the report is fresh, not rerun; with --verbose the stack shows.
    const again = await p.cli("run", "--verbose");
    assertEquals(ranInstances(again.stderr), []);
    assertMatch(again.stderr, /^\s+at .*broken\.ts/m);

    // Fixed: the failed instance's artifact is made and the report reruns without failures.
    await p.setConfig({ broken: ["resume"], digest: true });
    await p.cli("run"); // resume fails on its first attempt, by design
    const fixed = await p.cli("run");
    assertEquals(fixed.code, 0, fixed.stderr);
    const after = JSON.parse(
      await Deno.readTextFile(`${await p.artifactDir("digest", "digest")}/digest.json`),
    );
    assertEquals([after.broken.length, after.failures], [1, []]);
  } finally {
    await p.dispose();
  }
});

Deno.test("<stage>/latest follows the configuration that ran, and is removed when it failed", async () => {
  const p = await FixtureProject.create();
  try {
    assertEquals((await p.cli("run")).code, 0);
    const a = await latestKey(p, "total");
    await p.setConfig({ lr: 0.02 });
    assertEquals((await p.cli("run")).code, 0);
    const b = await latestKey(p, "total");
    assert(a !== null && b !== null && a !== b);
    await p.setConfig({ lr: 0.01 }); // back to A: everything fresh, the link follows
    const back = await p.cli("run");
    assertEquals(ranInstances(back.stderr), []);
    assertEquals(await latestKey(p, "total"), a);
    // A failed configuration leaves no link to the last one's artifact.
    await Deno.remove(`${p.root}/data/input.txt`);
    const failed = await p.cli("run");
    assertEquals(failed.code, 1);
    assertMatch(failed.stderr, /^skipped +total: upstream failed/m);
    assertEquals(await latestKey(p, "total"), null);
    // A dry run changes nothing.
    await Deno.writeTextFile(`${p.root}/data/input.txt`, "alpha beta gamma\n");
    await p.cli("run", "--dry-run");
    assertEquals(await latestKey(p, "total"), null);
    await p.cli("run");
    assertEquals(await latestKey(p, "total"), a);
  } finally {
    await p.dispose();
  }
});
