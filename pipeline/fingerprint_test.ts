import { assert, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import { CodeFingerprinter } from "./fingerprint.ts";
import { HashState } from "./hash_state.ts";

const ENGINE_STAGE = new URL("./stage.ts", import.meta.url).href;

/** A throw-away project: write files, fingerprint its stage module with a fresh fingerprinter. */
class Project {
  private constructor(readonly root: string, readonly hashes: HashState) {}

  static async create(files: Record<string, string>): Promise<Project> {
    const root = await Deno.makeTempDir({ prefix: "fingerprint-test-" });
    const project = new Project(root, await HashState.load(`${root}/.state.json`));
    for (const [path, text] of Object.entries(files)) await project.write(path, text);
    return project;
  }

  async write(path: string, text: string): Promise<void> {
    await Deno.mkdir(`${this.root}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${this.root}/${path}`, text);
  }

  fingerprint(module = "stage.ts", cache?: string) {
    return new CodeFingerprinter(this.root, this.hashes, cache).of(`file://${this.root}/${module}`);
  }

  dispose(): Promise<void> {
    return Deno.remove(this.root, { recursive: true });
  }
}

const STAGE = `import "${ENGINE_STAGE}";
import { a } from "./lib/a.ts";
import type { Shape } from "./lib/types.ts";
import { unusedValue } from "./lib/unused.ts";
export const s: Shape = { value: a };
`;

const FILES: Record<string, string> = {
  "stage.ts": STAGE,
  "lib/a.ts": `import { b } from "./b.ts";\nexport const a = b + 1;\n`,
  "lib/b.ts": `export const b = 1;\n`,
  "lib/types.ts": `import { big } from "./big.ts";\nexport interface Shape { value: number }\n` +
    `export { big };\n`,
  "lib/big.ts": `export const big = 1;\n`,
  "lib/unused.ts": `export const unusedValue = 1;\n`,
  "other.ts": `export const o = 1;\n`,
};

Deno.test("fingerprint: the local modules that run, not the engine, not type-only or unused imports", async () => {
  const p = await Project.create(FILES);
  try {
    const fp = await p.fingerprint();
    assertEquals(Object.keys(fp.files), ["lib/a.ts", "lib/b.ts", "stage.ts"]);
    assertEquals(fp.dependencies, []);
    assertEquals(fp.method, "runtime code");
    for (
      const [path, change] of [
        ["other.ts", `export const o = 2;\n`],
        ["lib/types.ts", `export interface Shape { value: number; extra?: string }\n`],
        ["lib/big.ts", `export const big = 2;\n`],
        ["lib/unused.ts", `export const unusedValue = 2;\n`],
      ]
    ) {
      await p.write(path, change);
      assertEquals((await p.fingerprint()).hash, fp.hash, `${path} does not run in the stage`);
    }
  } finally {
    await p.dispose();
  }
});

Deno.test("fingerprint: comments, types and formatting change nothing; a constant changes its file", async () => {
  const p = await Project.create(FILES);
  try {
    const fp = await p.fingerprint();
    await p.write(
      "lib/a.ts",
      `// The helper.\nimport {b} from './b.ts'\n\n/** One more than b. */\n` +
        `export const a: number = (b as number) + 1 // why: …\n`,
    );
    await p.write("lib/b.ts", `export const b: 1 | 2 = 1 satisfies number;\n`);
    assertEquals(await p.fingerprint(), fp);

    await p.write("lib/b.ts", `export const b = 2;\n`);
    const changed = await p.fingerprint();
    assertNotEquals(changed.hash, fp.hash);
    assertEquals(
      Object.keys(changed.files).filter((f) => changed.files[f] !== fp.files[f]),
      ["lib/b.ts"],
    );
  } finally {
    await p.dispose();
  }
});

Deno.test("fingerprint: a module renamed or moved with its runtime code unchanged changes nothing", async () => {
  const p = await Project.create(FILES);
  try {
    const fp = await p.fingerprint();
    await Deno.remove(`${p.root}/lib/b.ts`);
    await p.write("deep/er/renamed.ts", `export const b = 1;\n`);
    await p.write(
      "lib/a.ts",
      `import { b } from "../deep/er/renamed.ts";\nexport const a = b + 1;\n`,
    );
    const moved = await p.fingerprint();
    assertEquals(moved.hash, fp.hash);
    assertEquals(Object.keys(moved.files), ["deep/er/renamed.ts", "lib/a.ts", "stage.ts"]);
    assertEquals(moved.files["deep/er/renamed.ts"], fp.files["lib/b.ts"]);

    // A module that reads import.meta depends on where it is: its move counts.
    await p.write("lib/b.ts", `export const b = import.meta.url.length;\n`);
    await p.write("lib/a.ts", `import { b } from "./b.ts";\nexport const a = b + 1;\n`);
    const located = await p.fingerprint();
    await Deno.remove(`${p.root}/lib/b.ts`);
    await p.write("lib/c.ts", `export const b = import.meta.url.length;\n`);
    await p.write("lib/a.ts", `import { b } from "./c.ts";\nexport const a = b + 1;\n`);
    assertNotEquals((await p.fingerprint()).hash, located.hash);
  } finally {
    await p.dispose();
  }
});

Deno.test("fingerprint: an import cycle and a worker started by URL are followed", async () => {
  const p = await Project.create({
    "stage.ts": `import { start } from "./pool.ts";\nexport const s = start;\n`,
    "pool.ts": `export const DONE = 1;\n` +
      `export const start = () => new Worker(new URL("./worker.ts", import.meta.url));\n`,
    "worker.ts": `import { DONE } from "./pool.ts";\nimport { step } from "./step.ts";\n` +
      `self.onmessage = () => self.postMessage(step(DONE));\n`,
    "step.ts": `export const step = (x: number) => x + 1;\n`,
  });
  try {
    const fp = await p.fingerprint();
    assertEquals(Object.keys(fp.files), ["pool.ts", "stage.ts", "step.ts", "worker.ts"]);
    // An import that is neither relative nor node: (resolved by deno info).
    await p.write("scale.ts", `export const scale = 2;\n`);
    await p.write(
      "worker.ts",
      `import { DONE } from "./pool.ts";\nimport { step } from "./step.ts";\n` +
        `import { scale } from "file://${p.root}/scale.ts";\n` +
        `self.onmessage = () => self.postMessage(step(DONE) * scale);\n`,
    );
    const scaled = await p.fingerprint();
    assertEquals(Object.keys(scaled.files), [
      "pool.ts",
      "scale.ts",
      "stage.ts",
      "step.ts",
      "worker.ts",
    ]);
    await p.write("scale.ts", `export const scale = 3;\n`);
    assertNotEquals((await p.fingerprint()).hash, scaled.hash);
    await p.write("step.ts", `export const step = (x: number) => x + 2;\n`);
    const stepChanged = await p.fingerprint();
    assertNotEquals(stepChanged.hash, scaled.hash);
    await p.write(
      "pool.ts",
      `export const DONE = 2;\n` +
        `export const start = () => new Worker(new URL("./worker.ts", import.meta.url));\n`,
    );
    assertNotEquals((await p.fingerprint()).hash, stepChanged.hash);
    await Deno.remove(`${p.root}/worker.ts`);
    await assertRejects(() => p.fingerprint(), Error, "worker.ts does not exist");
  } finally {
    await p.dispose();
  }
});

Deno.test("fingerprint: the cache gives the same fingerprints, and a missing module is an error", async () => {
  const p = await Project.create(FILES);
  const cache = `${p.root}/.runtime-code.json`;
  try {
    const uncached = await p.fingerprint();
    assertEquals(await p.fingerprint("stage.ts", cache), uncached);
    const saved = JSON.parse(await Deno.readTextFile(cache));
    assertEquals(Object.keys(saved.entries).length, 3);
    assertEquals(await p.fingerprint("stage.ts", cache), uncached);
    await Deno.writeTextFile(cache, "{ not json");
    assertEquals(await p.fingerprint("stage.ts", cache), uncached);

    await p.write("lib/a.ts", `import { b } from "./missing.ts";\nexport const a = b;\n`);
    await assertRejects(() => p.fingerprint("stage.ts", cache), Error, "missing.ts");
  } finally {
    await p.dispose();
  }
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

Deno.test("fingerprint: the fit stage does not run the report's figures", async () => {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const state = await HashState.load(`${await Deno.makeTempDir()}/state.json`);
  const fp = await new CodeFingerprinter(root, state).of(
    new URL("../stages/fit.ts", import.meta.url).href,
  );
  // stages/fit.ts imports types from report/mod.ts, which re-exports the figures.
  assert("stages/fit.ts" in fp.files);
  assert(!("report/figures.ts" in fp.files), Object.keys(fp.files).join(" "));
  assert(!fp.dependencies.some((d) => d.startsWith("npm:vega")), fp.dependencies.join(" "));
});
