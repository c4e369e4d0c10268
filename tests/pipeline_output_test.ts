/**
 * End to end: command-line output stays readable when a pipeline has many instances — `status`,
 * `run --dry-run` and `dag` summarise long lists (counts per stage, the first few ids, "and N
 * more"), `--verbose` prints every instance — and no line grows with the number of instances.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";

const SIZES = Array.from({ length: 20 }, (_, i) => i + 1);

function longest(text: string): number {
  return Math.max(...text.split("\n").map((l) => l.length));
}

Deno.test("status, dry run and dag summarise 43 instances; --verbose lists them all", async () => {
  const p = await FixtureProject.create({ sweep: { n: SIZES, seed: [0, 1] } });
  try {
    const status = await p.cli("status");
    assertEquals(status.code, 0);
    const lines = status.stdout.trim().split("\n");
    assertEquals(lines.slice(0, 4), [
      "source  0 fresh, 0 stale, 1 missing",
      "count   0 fresh, 0 stale, 40 missing",
      "total   0 fresh, 0 stale, 1 missing",
      "other   0 fresh, 0 stale, 1 missing",
    ]);
    assertMatch(status.stdout, /^ +and 37 more count missing \(--verbose lists all\)$/m);
    assertEquals(lines.at(-1), "0 fresh, 0 stale, 43 missing (--verbose lists every instance)");
    assert(lines.length <= 12, status.stdout);
    assert(longest(status.stdout) < 160, status.stdout);
    const verbose = await p.cli("status", "--verbose");
    assertEquals(verbose.stdout.trim().split("\n").length, 44);

    const dry = await p.cli("run", "--dry-run");
    assertEquals(dry.code, 0);
    assertMatch(
      dry.stderr,
      /^would run total: after upstream: count\[n=1,seed=0\], count\[n=1,seed=1\], count\[n=2,seed=0\] and 37 more$/m,
    );
    assertMatch(dry.stderr, /^ +and 37 more count to run \(--verbose lists all\)$/m);
    assert(longest(dry.stderr) < 160, dry.stderr);
    const dryAll = await p.cli("run", "--dry-run", "--verbose");
    assertEquals([...dryAll.stderr.matchAll(/^would run count\[/gm)].length, 40);

    const dag = await p.cli("dag");
    assertMatch(
      dag.stdout,
      /^total ← counts=\[count\[n=1,seed=0\], count\[n=1,seed=1\], count\[n=2,seed=0\] and 37 more\]$/m,
    );
    const dagAll = await p.cli("dag", "--verbose");
    assertMatch(dagAll.stdout, /count\[n=20,seed=1\]\]$/m);

    // After a run, fresh instances are counted, not listed.
    assertEquals((await p.cli("run", "--quiet")).code, 0);
    const fresh = await p.cli("status");
    assertEquals(fresh.stdout.trim().split("\n").length, 5, fresh.stdout);
  } finally {
    await p.dispose();
  }
});
