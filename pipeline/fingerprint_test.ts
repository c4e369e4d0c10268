import { assert, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import { CodeFingerprinter } from "./fingerprint.ts";
import { HashState } from "./hash_state.ts";

async function webSha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const ENGINE_STAGE = new URL("./stage.ts", import.meta.url).href;

Deno.test("fingerprint: every local module reached, hashed by content; not the engine; not others", async () => {
  const root = await Deno.makeTempDir();
  const files: Record<string, string> = {
    "stage.ts": `import "${ENGINE_STAGE}";\nimport { a } from "./lib/a.ts";\nexport const s = a;\n`,
    "lib/a.ts": `import { b } from "./b.ts";\nexport const a = b + 1;\n`,
    "lib/b.ts": `export const b = 1;\n`,
    "other.ts": `export const o = 1;\n`,
  };
  await Deno.mkdir(`${root}/lib`);
  for (const [p, t] of Object.entries(files)) await Deno.writeTextFile(`${root}/${p}`, t);
  const state = await HashState.load(`${root}/state.json`);
  const fp = await new CodeFingerprinter(root, state).of(`file://${root}/stage.ts`);
  assertEquals(fp.files, {
    "lib/a.ts": await webSha256(files["lib/a.ts"]),
    "lib/b.ts": await webSha256(files["lib/b.ts"]),
    "stage.ts": await webSha256(files["stage.ts"]),
  });
  assertEquals(fp.dependencies, []);

  await Deno.writeTextFile(`${root}/other.ts`, `export const o = 2;\n`);
  const unrelated = await new CodeFingerprinter(root, state).of(`file://${root}/stage.ts`);
  assertEquals(unrelated.hash, fp.hash);
  await Deno.writeTextFile(`${root}/lib/b.ts`, `export const b = 2;\n`);
  const changed = await new CodeFingerprinter(root, state).of(`file://${root}/stage.ts`);
  assertNotEquals(changed.hash, fp.hash);
  assertEquals(changed.files["lib/b.ts"], await webSha256(`export const b = 2;\n`));

  await Deno.writeTextFile(
    `${root}/lib/a.ts`,
    `import { b } from "./missing.ts";\nexport const a = b;\n`,
  );
  await assertRejects(
    () => new CodeFingerprinter(root, state).of(`file://${root}/stage.ts`),
    Error,
    "missing.ts",
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("fingerprint: npm dependencies at their locked versions, closed over their dependencies", async () => {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const state = await HashState.load(`${await Deno.makeTempDir()}/state.json`);
  const fp = await new CodeFingerprinter(root, state).of(
    new URL("../science/model/backend.ts", import.meta.url).href,
  );
  const lock = JSON.parse(await Deno.readTextFile(`${root}/deno.lock`));
  const tfjsKey = Object.keys(lock.npm).find((k) => k.startsWith("@tensorflow/tfjs@"))!;
  const tfjsVersion = tfjsKey.slice("@tensorflow/tfjs@".length).split("_")[0];
  assert(
    fp.dependencies.includes(`npm:@tensorflow/tfjs@${tfjsVersion}`),
    fp.dependencies.join(" "),
  );
  const seedrandom = Object.keys(lock.npm).find((k) => k.startsWith("seedrandom@"))!;
  assert(fp.dependencies.includes(`npm:${seedrandom}`), "transitive npm dependency missing");
  assert("science/model/backend.ts" in fp.files);
});
