import { assertEquals, assertRejects } from "@std/assert";
import { loadProfile, PROFILES } from "./profiles.ts";

async function withFile(name: string, text: string, fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    await fn(`${dir}/${name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the default profile is quick; a name selects another", async () => {
  assertEquals((await loadProfile()).name, "quick");
  assertEquals(await loadProfile("ci"), PROFILES.ci);
});

Deno.test("a YAML file overrides single fields and keeps the rest", async () => {
  await withFile("mine.yaml", "extends: ci\nsweep:\n  seeds: [4, 5]\n", async (path) => {
    const p = await loadProfile(undefined, path);
    assertEquals(p.sweep.seeds, [4, 5]);
    assertEquals(p.sweep.sizes, PROFILES.ci.sweep.sizes);
    assertEquals(p.name, "ci+mine.yaml");
  });
});

Deno.test("bad overrides are errors naming the field and what it allows", async () => {
  const cases: [string, string][] = [
    [`{"sweep": {"seedz": [1]}}`, "sweep.seedz: unknown field; allowed: configs, sizes"],
    [`{"showcases": [{"etaMax": "fast"}]}`, "showcases[0].etaMax: must be a number"],
    [`{"showcases": [{"model": {"activation": "gelu"}}]}`, `"gelu" is not one of elu, tanh, relu`],
    [`{"sweep": {"sizes": [32, 64]}}`, "sweep.sizes: a power law needs at least 3"],
    [`{"showcases": [{"gdSharpnessFractions": [1.5]}]}`, "each must lie in (0, 1)"],
    [`{"showcases": [{"name": "a b"}]}`, `showcases[0].name: must be letters, digits and "-"`],
    [`{"showcases": [{"name": "a"}, {"name": "a"}]}`, `showcases[1].name: "a" is used twice`],
    [`{"extends": "huge"}`, `extends: must name a profile (one of ci, quick, paper), got "huge"`],
  ];
  for (const [text, message] of cases) {
    await withFile("bad.json", text, async (path) => {
      await assertRejects(() => loadProfile(undefined, path), Error, message);
    });
  }
  await assertRejects(() => loadProfile(undefined, "/nonexistent.json"), Error, "cannot read");
});
