/**
 * End to end: what a manifest records, checked against independent computations (WebCrypto
 * digests of the files, the upstream manifest, the running Deno), and that an artifact whose
 * manifest is incomplete is never taken as valid.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";

async function digest(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("manifest: parameters, code, inputs, outputs, recorded fields, versions, times, host", async () => {
  const p = await FixtureProject.create({ sweep: { n: [3], seed: [7] } });
  try {
    const r = await p.cli("run", "count");
    assertEquals(r.code, 0, r.stderr);
    const dir = await p.artifactDir("count", "count[n=3,seed=7]");
    const m = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    const src = JSON.parse(
      await Deno.readTextFile(`${await p.artifactDir("source", "source")}/manifest.json`),
    );
    assertEquals(m.version, 1);
    assertEquals(m.stage, "count");
    assertEquals(m.instance, "count[n=3,seed=7]");
    assertEquals(dir.endsWith(`/count/${m.key}`), true);
    assertEquals(m.params, { n: 3, seed: 7, lr: 0.01, sleepMs: 0 });
    assertEquals(Object.keys(m.code.files).sort(), ["count.ts", "lib/a.ts", "lib/b.ts"]);
    assertEquals(m.code.method, "runtime code");
    for (const h of [m.code.hash, ...Object.values(m.code.files)]) assertMatch(h, /^[0-9a-f]{64}$/);
    assertEquals(m.inputs, { words: { hash: src.contentHash, from: "source" } });
    assertEquals(m.outputs, {
      "count.json": {
        hash: await digest(`${dir}/count.json`),
        size: (await Deno.stat(`${dir}/count.json`)).size,
      },
    });
    assertEquals(
      await Deno.realPath(`${p.root}/artifacts/source/latest`),
      await Deno.realPath(await p.artifactDir("source", "source")),
      "a stage's only instance is reachable as <stage>/latest",
    );
    assertEquals(m.recorded.seed, 7);
    assertEquals(m.recorded.backend, "none");
    assertEquals(m.deno, { ...Deno.version });
    assertEquals(m.git, null); // the fixture is not a git repository
    assertEquals(m.host, Deno.hostname());
    assert(Date.parse(m.startedAt) <= Date.parse(m.finishedAt));
    assert(m.durationMs >= 0);
    // The value itself: 2 · (3 words · n) · lr.
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/count.json`)).value, 2 * 3 * 3 * 0.01);

    // A truncated manifest makes the artifact invalid, never half-trusted.
    const text = await Deno.readTextFile(`${dir}/manifest.json`);
    await Deno.writeTextFile(`${dir}/manifest.json`, text.slice(0, text.length / 2));
    assertMatch((await p.cli("status")).stdout, /^stale +count\[n=3,seed=7\]: manifest corrupt$/m);
    const again = await p.cli("run", "count");
    assertMatch(again.stderr, /^ran +count\[n=3,seed=7\]/m);
  } finally {
    await p.dispose();
  }
});
