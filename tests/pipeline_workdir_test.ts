/**
 * End to end: a stage's work directory survives a failed attempt of the same key (so training can
 * resume from its checkpoint), is removed after success, and a changed key does not see it.
 */
import { assert, assertEquals } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";

async function workDirs(root: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(`${root}/artifacts/broken`)) {
    if (e.name.startsWith(".work-")) found.push(e.name);
  }
  return found;
}

Deno.test("work directory: kept after a failure, resumed from, removed after success", async () => {
  const p = await FixtureProject.create({ broken: ["resume"] });
  try {
    const first = await p.cli("run", "broken");
    assertEquals(first.code, 1);
    assert(first.stderr.includes("interrupted after a checkpoint"), first.stderr);
    assertEquals((await workDirs(p.root)).length, 1);

    const second = await p.cli("run", "broken");
    assertEquals(second.code, 0, second.stderr);
    const dir = await p.artifactDir("broken", "broken[mode=resume]");
    assertEquals(await Deno.readTextFile(`${dir}/out.bin`), "resumed from half done");
    assertEquals(await workDirs(p.root), []);
  } finally {
    await p.dispose();
  }
});

Deno.test("work directory: gc removes one whose key no current instance has", async () => {
  const p = await FixtureProject.create({ broken: ["resume"] });
  try {
    assertEquals((await p.cli("run", "broken")).code, 1);
    assertEquals((await p.cli("gc")).code, 0);
    assertEquals((await workDirs(p.root)).length, 1, "the current key's checkpoint is kept");
    await p.setConfig({ broken: [] });
    assertEquals((await p.cli("gc")).code, 0);
    assertEquals(await workDirs(p.root), []);
  } finally {
    await p.dispose();
  }
});
