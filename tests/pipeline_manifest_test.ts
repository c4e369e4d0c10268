/**
 * End to end: what a manifest records, checked against independent computations (WebCrypto
 * digests of the files, the upstream manifest, the running Deno), and that an artifact whose
 * manifest is incomplete is never taken as valid.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";
import { ranInstances } from "./cli_runs.ts";

async function digest(path: string): Promise<string> {
  return hex(await Deno.readFile(path));
}

async function hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with sorted keys at every level (written here, independently of the engine's). */
function sortedJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
        : v,
  );
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
    assertEquals(m.version, 2);
    const keyText = sortedJson({
      stage: m.stage,
      params: m.params,
      code: m.code.hash,
      inputs: m.inputs,
    });
    assertEquals(m.key, (await hex(new TextEncoder().encode(keyText))).slice(0, 20));
    const { manifestHash, ...rest } = m;
    assertEquals(manifestHash, await hex(new TextEncoder().encode(sortedJson(rest))));
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
    assertMatch(
      (await p.cli("status")).stdout,
      /^stale +count\[n=3,seed=7\]: manifest corrupt$/m,
    );
    const again = await p.cli("run", "count");
    assertMatch(again.stderr, /^ran +count\[n=3,seed=7\]/m);
  } finally {
    await p.dispose();
  }
});

Deno.test("manifests cannot lie: an edited key, content hash, parameter or recorded field is corrupt", async () => {
  const p = await FixtureProject.create({ sweep: { n: [1, 2], seed: [1] } });
  try {
    assertEquals((await p.cli("run")).code, 0);
    const id = "count[n=2,seed=1]";
    const dir = await p.artifactDir("count", id);
    const original = await Deno.readTextFile(`${dir}/manifest.json`);
    type Editable = {
      contentHash: string;
      key: string;
      params: Record<string, unknown>;
      recorded: Record<string, unknown>;
    };
    const edits: [string, (m: Editable) => void, RegExp][] = [
      ["a flipped byte in contentHash", (m) => {
        const c = m.contentHash;
        m.contentHash = (c[0] === "0" ? "1" : "0") + c.slice(1);
      }, /manifestHash differs/],
      ["params.seed 1 → 0", (m) => m.params.seed = 0, /manifestHash differs/],
      [
        "a recorded stop reason",
        (m) => m.recorded.stopReason = "lossBelow",
        /manifestHash differs/,
      ],
      ["the key", (m) => m.key = "0".repeat(20), /manifestHash differs/],
    ];
    for (const [what, edit, reason] of edits) {
      const m = JSON.parse(original);
      edit(m);
      await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(m, null, 2));
      const status = await p.cli("status");
      assertMatch(
        status.stdout,
        new RegExp(`^stale +count\\[n=2,seed=1\\]: manifest corrupt: `, "m"),
        what,
      );
      assertMatch(status.stdout, reason, what);
      const verify = await p.cli("verify");
      assertEquals(verify.code, 1, what);
      assertMatch(
        verify.stdout,
        /^corrupt count\/[0-9a-f]{20}: manifest corrupt: .* \(removed\)$/m,
      );
      assertMatch(verify.stdout, /^\d+ intact, 1 corrupt$/m, what);
      const again = await p.cli("run");
      assertEquals(ranInstances(again.stderr), [id], `${what}: only the corrupt instance reruns`);
      assertEquals(await Deno.readTextFile(`${dir}/manifest.json`) !== original, true);
    }
    // A manifest whose self-hash was recomputed after an edit still disagrees with its key.
    const m = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    m.params.seed = 0;
    const { manifestHash: _, ...rest } = m;
    m.manifestHash = await hex(new TextEncoder().encode(sortedJson(rest)));
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(m));
    assertMatch(
      (await p.cli("status")).stdout,
      /stale +count\[n=2,seed=1\]: manifest corrupt: its key does not match its stage, parameters, code and inputs/,
    );
    m.params.seed = 1;
    m.contentHash = "f".repeat(64);
    const { manifestHash: __, ...rest2 } = m;
    m.manifestHash = await hex(new TextEncoder().encode(sortedJson(rest2)));
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(m));
    assertMatch(
      (await p.cli("status")).stdout,
      /stale +count\[n=2,seed=1\]: manifest corrupt: contentHash does not match its outputs/,
    );
    assertEquals(ranInstances((await p.cli("run")).stderr), [id]);
    assertMatch((await p.cli("status")).stdout, /^5 fresh, 0 stale, 0 missing$/m);
  } finally {
    await p.dispose();
  }
});
