/**
 * End to end, with real files and real subprocesses: each cause of staleness and its "why", a
 * transitive code change two imports away versus an unrelated module, early cutoff, sweeps, and
 * the changes to code that cannot change a result (comments, types, formatting, moves).
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { DEFAULT_COUNTS, FixtureProject } from "./pipeline_fixture.ts";
import { ranInstances } from "./cli_runs.ts";

/** The status lines as id → "status: reasons". */
async function status(p: FixtureProject): Promise<Map<string, string>> {
  const r = await p.cli("status");
  assertEquals(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").slice(0, -1);
  return new Map(lines.map((l) => {
    const [state, rest] = [l.slice(0, 8).trim(), l.slice(8)];
    const colon = rest.indexOf(": ");
    return colon < 0 ? [rest, state] : [rest.slice(0, colon), `${state}: ${rest.slice(colon + 2)}`];
  }));
}

/** The ids that a run reports as ran. */

Deno.test("staleness: each cause is detected and explained, and only what depends on it reruns", async () => {
  const p = await FixtureProject.create();
  try {
    const first = await p.cli("run", "--jobs", "2");
    assertEquals(first.code, 0, first.stderr);
    assertEquals(
      ranInstances(first.stderr),
      [...DEFAULT_COUNTS, "other", "source", "total"].sort(),
    );
    assert([...(await status(p)).values()].every((s) => s === "fresh"));

    // Sweep instances each get their own artifact; total reads them all (value = 2·3n·lr).
    const total = JSON.parse(
      await Deno.readTextFile(`${await p.artifactDir("total", "total")}/total.json`),
    );
    assertEquals(total.length, 4);
    for (const row of total) assertEquals(row.value, 2 * 3 * row.n * 0.01);

    // Parameter change.
    await p.setConfig({ lr: 0.02 });
    let s = await status(p);
    for (const id of DEFAULT_COUNTS) assertEquals(s.get(id), "stale: param lr changed 0.01 → 0.02");
    assertEquals(
      s.get("total"),
      `stale: upstream not fresh: ${DEFAULT_COUNTS.slice(0, 3).join(", ")} and 1 more`,
    );
    assertEquals(s.get("source"), "fresh");
    const dry = await p.cli("run", "--dry-run");
    assertMatch(dry.stderr, /would run count\[n=1,seed=0\]: param lr changed 0\.01 → 0\.02/);
    assertEquals(ranInstances(dry.stderr), []);
    assertEquals((await status(p)).get("count[n=1,seed=0]"), "stale: param lr changed 0.01 → 0.02");
    await p.setConfig({ lr: 0.01 }); // back: the old artifacts are still there and fresh again
    assert([...(await status(p)).values()].every((x) => x === "fresh"));

    // An unrelated module: only the stage importing it goes stale (total imports a type from
    // lib/rows.ts, which re-exports it: a type-only import does not run).
    await p.write("lib/unrelated.ts", `export const greeting = "hi";\n`);
    s = await status(p);
    assertEquals(s.get("other"), "stale: code changed: lib/unrelated.ts");
    for (const id of [...DEFAULT_COUNTS, "source", "total"]) assertEquals(s.get(id), "fresh", id);

    // A helper two imports away (stages.ts → lib/a.ts → lib/b.ts), output unchanged: the counts
    // rerun, total stays fresh (early cutoff).
    await p.write("lib/b.ts", `export function scale(x: number): number {\n  return x + x;\n}\n`);
    s = await status(p);
    for (const id of DEFAULT_COUNTS) assertEquals(s.get(id), "stale: code changed: lib/b.ts");
    assertEquals(s.get("source"), "fresh");
    assertMatch(s.get("total")!, /^stale: upstream not fresh: count/);
    const cutoff = await p.cli("run");
    assertEquals(cutoff.code, 0, cutoff.stderr);
    assertEquals(ranInstances(cutoff.stderr), [...DEFAULT_COUNTS, "other"].sort());
    assertMatch(cutoff.stderr, /summary +5 ran, 2 fresh/);

    // External input change.
    await p.write("data/input.txt", "alpha beta gamma delta\n");
    assertEquals((await status(p)).get("source"), "stale: input text changed (data/input.txt)");
    const rerun = await p.cli("run");
    assertEquals(ranInstances(rerun.stderr), [...DEFAULT_COUNTS, "source", "total"].sort());
    const total2 = JSON.parse(
      await Deno.readTextFile(`${await p.artifactDir("total", "total")}/total.json`),
    );
    for (const row of total2) assertEquals(row.value, 2 * 4 * row.n * 0.01);

    // Missing and corrupt outputs.
    const sourceDir = await p.artifactDir("source", "source");
    const countDir = await p.artifactDir("count", "count[n=2,seed=1]");
    const text = await Deno.readTextFile(`${countDir}/count.json`);
    await Deno.writeTextFile(
      `${countDir}/count.json`,
      text.replace(/\d/, (d) => String((+d + 1) % 10)),
    );
    assertEquals((await status(p)).get("count[n=2,seed=1]"), "stale: output corrupt: count.json");
    await Deno.remove(`${sourceDir}/words.json`);
    s = await status(p);
    assertEquals(s.get("source"), "stale: output missing: words.json");
    assertEquals(s.get("count[n=2,seed=1]"), "stale: upstream not fresh: source");

    // A sweep grows: only the new instances run, and total reads all six.
    await p.setConfig({ sweep: { n: [1, 2], seed: [0, 1, 2] } });
    const grown = await p.cli("run");
    assertEquals(grown.code, 0, grown.stderr);
    assertEquals(
      ranInstances(grown.stderr),
      ["count[n=1,seed=2]", "count[n=2,seed=1]", "count[n=2,seed=2]", "source", "total"].sort(),
    );
    const total3 = JSON.parse(
      await Deno.readTextFile(`${await p.artifactDir("total", "total")}/total.json`),
    );
    assertEquals(total3.map((r: { n: number; seed: number }) => `${r.n}/${r.seed}`).sort(), [
      "1/0",
      "1/1",
      "1/2",
      "2/0",
      "2/1",
      "2/2",
    ]);
  } finally {
    await p.dispose();
  }
});

Deno.test("staleness: comments, types, formatting and a move rerun nothing; a one-character constant change reruns exactly its dependants", async () => {
  const p = await FixtureProject.create();
  const allFresh = async (what: string) => {
    for (const [id, state] of await status(p)) assertEquals(state, "fresh", `${what}: ${id}`);
  };
  try {
    assertEquals((await p.cli("run")).code, 0);

    await p.write(
      "lib/b.ts",
      `// The scale of the fixture.\nexport function scale(x: number): number {\n` +
        `  /* doubled */ return x * 2; // why: the hand-computed values assume it\n}\n`,
    );
    await p.write("count.ts", "/** The count stage. */\n" + await p.read("count.ts"));
    await allFresh("comments");

    await p.write(
      "lib/a.ts",
      `import { scale } from "./b.ts";\ntype Unary = (x: number) => number;\n` +
        `export const twice: Unary = (x: number): number => scale(x as number)!;\n`,
    );
    await p.write(
      "lib/rows.ts",
      (await p.read("lib/rows.ts")).replace("value: number;", "value: 1;"),
    );
    await allFresh("types");

    const fmt = await new Deno.Command(Deno.execPath(), {
      args: [
        "fmt",
        "--no-config",
        "--line-width=60",
        "--indent-width=4",
        "--single-quote",
        "--no-semicolons",
        "count.ts",
        "total.ts",
        "lib/a.ts",
      ],
      cwd: p.root,
      stderr: "null",
    }).output();
    assert(fmt.success);
    assertMatch(await p.read("count.ts"), /^ {4}name: 'count',$/m);
    await allFresh("formatting");

    await p.write("lib/b.ts", (await p.read("lib/b.ts")).replace("x * 2", "x * 3"));
    const s = await status(p);
    for (const id of DEFAULT_COUNTS) assertEquals(s.get(id), "stale: code changed: lib/b.ts", id);
    assertEquals([s.get("source"), s.get("other")], ["fresh", "fresh"]);
    assertMatch(s.get("total")!, /^stale: upstream not fresh: count/);
    const rerun = await p.cli("run");
    assertEquals(ranInstances(rerun.stderr), [...DEFAULT_COUNTS, "total"].sort());
    const total = JSON.parse(
      await Deno.readTextFile(`${await p.artifactDir("total", "total")}/total.json`),
    );
    for (const row of total) assertEquals(row.value, 3 * 3 * row.n * 0.01);

    await p.write("lib/scaling/factor.ts", await p.read("lib/b.ts"));
    await Deno.remove(`${p.root}/lib/b.ts`);
    await p.write("lib/a.ts", (await p.read("lib/a.ts")).replace("./b.ts", "./scaling/factor.ts"));
    await allFresh("a move");
  } finally {
    await p.dispose();
  }
});
