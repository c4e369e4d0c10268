/**
 * A throw-away project for the engine's end-to-end tests: real stage modules (with a helper two
 * imports away, an unrelated module, and a type-only import of a module that re-exports it), a config file the pipeline definition reads at start,
 * an external input file, and a command-line script that the tests run as a real subprocess.
 *
 * @module
 */

const ENGINE = new URL("../pipeline/mod.ts", import.meta.url).href;

/** The fixture's stage modules, by path relative to the project. */
const FILES: Record<string, string> = {
  "lib/b.ts": `export function scale(x: number): number {\n  return x * 2;\n}\n`,
  "lib/a.ts": `import { scale } from "./b.ts";\nexport const twice = (x: number) => scale(x);\n`,
  "lib/unrelated.ts": `export const greeting = "hello";\n`,
  "lib/rows.ts": `export { greeting } from "./unrelated.ts";
export interface Row {
  n: number;
  seed: number;
  value: number;
}
`,
  "data/input.txt": "alpha beta gamma\n",
  "source.ts": `import { boolean, defineStage, external } from "${ENGINE}";

/** Reads the external text and writes its words. */
export const source = defineStage({
  name: "source",
  module: import.meta.url,
  params: { upper: boolean({ default: false }) },
  inputs: () => ({ text: external("data/input.txt") }),
  outputs: ["words.json"],
  run: async (ctx) => {
    const text = await Deno.readTextFile(ctx.input("text"));
    const words = text.trim().split(/\\s+/).map((w) => ctx.params.upper ? w.toUpperCase() : w);
    await Deno.writeTextFile(ctx.output("words.json"), JSON.stringify(words));
  },
});
`,
  "count.ts": `import { defineStage, integer, number, upstream } from "${ENGINE}";
import { twice } from "./lib/a.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One sweep instance (n × seed), computed through a helper two imports away. */
export const count = defineStage({
  name: "count",
  module: import.meta.url,
  params: {
    n: integer({ min: 1 }),
    seed: integer({ min: 0 }),
    lr: number({ min: 0, default: 0.01 }),
    sleepMs: integer({ min: 0, default: 0 }),
  },
  inputs: () => ({ words: upstream("source") }),
  outputs: ["count.json"],
  run: async (ctx) => {
    const started = Date.now();
    ctx.log("pid " + Deno.pid + ", cores " + Deno.env.get("PIPELINE_CORES"));
    ctx.record({ seed: ctx.params.seed, backend: "none" });
    const words = JSON.parse(await Deno.readTextFile(ctx.input("words") + "/words.json"));
    const steps = 4;
    for (let i = 1; i <= steps; i++) {
      await sleep(ctx.params.sleepMs / steps);
      ctx.progress(i, steps);
    }
    const value = twice(words.length * ctx.params.n) * ctx.params.lr;
    await Deno.writeTextFile(ctx.output("count.json"), JSON.stringify({ value, seed: ctx.params.seed }));
    ctx.record({ started, ended: Date.now() });
  },
});
`,
  "total.ts": `import { allOf, defineStage } from "${ENGINE}";
import type { Row } from "./lib/rows.ts";

/** Reads every instance of the count sweep (lib/rows.ts gives a type: it does not run here). */
export const total = defineStage({
  name: "total",
  module: import.meta.url,
  params: {},
  inputs: () => ({ counts: allOf("count") }),
  outputs: ["total.json"],
  run: async (ctx) => {
    const rows: Row[] = [];
    for (const a of ctx.inputList("counts")) {
      const c = JSON.parse(await Deno.readTextFile(a.path + "/count.json"));
      rows.push({ n: a.params.n as number, seed: a.params.seed as number, value: c.value });
    }
    await Deno.writeTextFile(ctx.output("total.json"), JSON.stringify(rows));
  },
});
`,
  "stages.ts": `import { source } from "./source.ts";
import { count } from "./count.ts";
import { total } from "./total.ts";

const CONFIG = JSON.parse(Deno.readTextFileSync(new URL("./config.json", import.meta.url)));

/** The pipeline of the config. */
export function pipeline() {
  return [
    source.with({ upper: CONFIG.upper }),
    ...count.sweep(CONFIG.sweep, { lr: CONFIG.lr, sleepMs: CONFIG.sleepMs }),
    total.with({}),
  ];
}
`,
  "other.ts": `import { defineStage } from "${ENGINE}";
import { greeting } from "./lib/unrelated.ts";

/** A stage that only the unrelated module feeds. */
export const other = defineStage({
  name: "other",
  module: import.meta.url,
  params: {},
  outputs: ["greeting.txt"],
  run: async (ctx) => {
    await Deno.writeTextFile(ctx.output("greeting.txt"), greeting);
  },
});
`,
  "cli.ts": `import { runCli } from "${ENGINE}";
import { pipeline } from "./stages.ts";
import { other } from "./other.ts";
import { broken } from "./broken.ts";
import { digest } from "./digest.ts";
const CONFIG = JSON.parse(Deno.readTextFileSync(new URL("./config.json", import.meta.url)));
const list = () => [
  ...pipeline(),
  other.with({}),
  ...(CONFIG.broken ?? []).map((mode: string) => broken.with({ mode }, ["mode"])),
  ...(CONFIG.digest ? [digest.with({})] : []),
];
Deno.exit(await runCli(Deno.args, list));
`,
  "digest.ts": `import { allOf, defineStage } from "${ENGINE}";

/** A report of what finished: runs even when some of its inputs failed, and lists them. */
export const digest = defineStage({
  name: "digest",
  module: import.meta.url,
  params: {},
  partialInputs: true,
  inputs: () => ({ counts: allOf("count"), broken: allOf("broken") }),
  outputs: ["digest.json"],
  run: async (ctx) => {
    const counts = ctx.inputList("counts").map((a) => a.params);
    const broken = ctx.inputList("broken").map((a) => a.params);
    await Deno.writeTextFile(
      ctx.output("digest.json"),
      JSON.stringify({ counts, broken, failures: ctx.failures }),
    );
  },
});
`,
  "broken.ts": `import { defineStage, oneOf } from "${ENGINE}";

/** Misbehaving stages, one per mode. */
export const broken = defineStage({
  name: "broken",
  module: import.meta.url,
  params: { mode: oneOf(["throw", "outside", "undeclared", "missing", "slow-write", "resume"]) },
  outputs: ["out.bin"],
  run: async (ctx) => {
    const mode = ctx.params.mode;
    if (mode === "throw") throw new Error("deliberate failure in broken stage");
    if (mode === "resume") {
      // Fails on its first attempt after leaving a checkpoint; the next attempt resumes from it.
      const checkpoint = ctx.workDir + "/checkpoint.txt";
      const resumed = await Deno.readTextFile(checkpoint).catch(() => null);
      if (resumed === null) {
        await Deno.writeTextFile(checkpoint, "half done");
        throw new Error("interrupted after a checkpoint");
      }
      await Deno.writeTextFile(ctx.output("out.bin"), "resumed from " + resumed);
      return;
    }
    if (mode === "outside") await Deno.writeTextFile(ctx.outDir + "/../../escaped.txt", "x");
    if (mode === "undeclared") await Deno.writeTextFile(ctx.outDir + "/stray.txt", "x");
    if (mode !== "missing") {
      using f = await Deno.open(ctx.output("out.bin"), { write: true, create: true });
      ctx.log("pid " + Deno.pid + " writing");
      for (let i = 0; i < (mode === "slow-write" ? 100 : 1); i++) {
        await f.write(new Uint8Array(1024).fill(i % 256));
        if (mode === "slow-write") await new Promise((r) => setTimeout(r, 20));
      }
    }
  },
});
`,
};

/** The default config: a 2 × 2 sweep. */
export const DEFAULT_CONFIG = {
  upper: false,
  lr: 0.01,
  sleepMs: 0,
  sweep: { n: [1, 2], seed: [0, 1] },
  broken: [] as string[],
  digest: false,
};

/** The count instances of the default config (its 2 × 2 sweep), sorted. */
export const DEFAULT_COUNTS = [
  "count[n=1,seed=0]",
  "count[n=1,seed=1]",
  "count[n=2,seed=0]",
  "count[n=2,seed=1]",
];

/** Every instance of the default config's pipeline (no broken stage), sorted. */
export const DEFAULT_INSTANCES = [...DEFAULT_COUNTS, "other", "source", "total"];

/** A temporary project with the fixture's files; `dispose` removes it. */
export class FixtureProject {
  /** Environment variables the command line gets on top of this process's (e.g. SLURM_CONF). */
  env: Record<string, string> = {};

  private constructor(readonly root: string) {}

  /** Creates the project with the given config overrides. */
  static async create(config: Partial<typeof DEFAULT_CONFIG> = {}): Promise<FixtureProject> {
    const root = await Deno.makeTempDir({ prefix: "pipeline-test-" });
    for (const [path, text] of Object.entries(FILES)) {
      const full = `${root}/${path}`;
      await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(full, text);
    }
    const project = new FixtureProject(root);
    await project.setConfig({ ...DEFAULT_CONFIG, ...config });
    return project;
  }

  /** Replaces the config file. */
  async setConfig(config: Partial<typeof DEFAULT_CONFIG>): Promise<void> {
    await Deno.writeTextFile(
      `${this.root}/config.json`,
      JSON.stringify({ ...DEFAULT_CONFIG, ...config }),
    );
  }

  /** Writes a project file (and its folder). */
  async write(path: string, text: string): Promise<void> {
    const full = `${this.root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }

  /** Reads a project file. */
  read(path: string): Promise<string> {
    return Deno.readTextFile(`${this.root}/${path}`);
  }

  /** Starts the command line as a subprocess (for tests that kill it or run two at once). */
  spawn(...args: string[]): Deno.ChildProcess {
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", `${this.root}/cli.ts`, ...args],
      cwd: this.root,
      env: { NO_COLOR: "1", ...this.env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  }

  /** Runs the command line to completion: exit code and the text of stdout and stderr. */
  async cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = await this.spawn(...args).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  }

  /** The directory of the current artifact of an instance (by its latest pointer). */
  async artifactDir(stage: string, instanceId: string): Promise<string> {
    const { sha256Hex } = await import("../pipeline/hash.ts");
    const p = `${this.root}/artifacts/${stage}/.latest/${sha256Hex(instanceId).slice(0, 24)}.json`;
    const { key } = JSON.parse(await Deno.readTextFile(p));
    return `${this.root}/artifacts/${stage}/${key}`;
  }

  /** Removes the project. */
  async dispose(): Promise<void> {
    await Deno.remove(this.root, { recursive: true });
  }
}

/** Collects a child's stderr while letting a test wait for a line matching a pattern. */
export class StderrWatcher {
  text = "";
  #waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  readonly done: Promise<void>;

  constructor(child: Deno.ChildProcess) {
    this.done = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.text += chunk;
        this.#waiters = this.#waiters.filter((w) => {
          const m = this.text.match(w.re);
          if (m) w.resolve(m);
          return !m;
        });
      }
    })();
  }

  /** Resolves with the first match of `re`; rejects, with the text so far, after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const m = this.text.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${re} within ${timeoutMs} ms in:\n${this.text}`)),
        timeoutMs,
      );
      this.#waiters.push({
        re,
        resolve: (found) => {
          clearTimeout(timer);
          resolve(found);
        },
      });
    });
  }
}
