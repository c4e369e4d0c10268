/**
 * The pipeline engine's public API: define stages, build a pipeline, run the command line.
 *
 * An example: a training stage swept over dataset sizes × seeds, a fit over all of them, and a
 * pipeline that is a function of the `--profile` given on the command line. In a project each
 * stage lives in its own module under `stages/` (`module: import.meta.url` is how workers find
 * it, and what its code fingerprint starts from); `stages/` is this reproduction's, and
 * `tests/pipeline_fixture.ts` writes a small complete project that the engine's tests run.
 *
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { allOf, defineStage, external, integer, number, runCli } from "../pipeline/mod.ts";
 * import type { PipelineOptions } from "../pipeline/mod.ts";
 *
 * // stages/train.ts: one run (a stand-in here: gradient descent on ½x² from x = n).
 * const train = defineStage({
 *   name: "train",
 *   module: import.meta.url, // workers import the stage from here
 *   params: { n: integer({ min: 1 }), seed: integer({ min: 0 }), lr: number({ min: 0 }) },
 *   inputs: () => ({ data: external("data/fashion") }), // a project path, hashed by content
 *   outputs: ["loss.json"],
 *   run: async (ctx) => {
 *     ctx.record({ seed: ctx.params.seed }); // extra manifest fields
 *     const losses = [];
 *     for (let step = 0, x = ctx.params.n; step < 100; step++, x -= ctx.params.lr * x) {
 *       losses.push(x * x / 2);
 *       ctx.progress(step + 1, 100);
 *     }
 *     await Deno.writeTextFile(ctx.output("loss.json"), JSON.stringify(losses));
 *   },
 * });
 *
 * // stages/fit.ts: refers to train by name (allOf), without importing stages/train.ts, so that
 * // train's code is not part of fit's code fingerprint (early cutoff after a train code change).
 * const fit = defineStage({
 *   name: "fit",
 *   module: import.meta.url,
 *   params: {},
 *   inputs: () => ({ runs: allOf("train") }), // every train instance of the pipeline
 *   outputs: ["fit.json"],
 *   run: async (ctx) => {
 *     const points = [];
 *     for (const run of ctx.inputList("runs")) {
 *       const losses = JSON.parse(await Deno.readTextFile(`${run.path}/loss.json`));
 *       points.push({ n: run.params.n, seed: run.params.seed, final: losses.at(-1) });
 *     }
 *     await Deno.writeTextFile(ctx.output("fit.json"), JSON.stringify(points));
 *   },
 * });
 *
 * // stages/mod.ts: the pipeline, as a function of the command line's --profile / --config.
 * const PROFILES = {
 *   ci: { sizes: [100], seeds: [0, 1], lr: 0.05 },
 *   paper: { sizes: [1000, 2000, 4000], seeds: [0, 1, 2], lr: 0.01 },
 * };
 * function pipeline({ profile = "ci" }: PipelineOptions) {
 *   const p = PROFILES[profile as keyof typeof PROFILES];
 *   if (!p) throw new Error(`--profile must be one of ci, paper, got "${profile}"`);
 *   return [...train.sweep({ n: p.sizes, seed: p.seeds }, { lr: p.lr }), fit.with({})];
 * }
 *
 * // pipeline/main.ts runs runCli(Deno.args, pipeline); here, the DAG of the ci profile.
 * const lines: string[] = [];
 * const code = await runCli(["dag", "--profile", "ci"], pipeline, { out: (l) => lines.push(l) });
 * assertEquals(code, 0);
 * assertEquals(lines.join("\n").split("\n"), [
 *   "train[n=100,seed=0] ← data=data/fashion",
 *   "train[n=100,seed=1] ← data=data/fashion",
 *   "fit ← runs=[train[n=100,seed=0], train[n=100,seed=1]]",
 * ]);
 * ```
 *
 * Instance ids are the stage name plus the sweep's axes (`train[n=100,seed=0]`); parameters
 * outside the axes (lr) may change under the same id, and `status` then says
 * "param lr changed 0.05 → 0.01". Inputs may also be instances themselves (`data.with({})`, a list
 * of them, `train.sweep(…)`) or `upstream("data")` / `upstream("train", { n: 100, seed: 0 })`.
 * `pipeline/main.ts` runs `runCli(Deno.args, pipeline)` on `stages/mod.ts`'s `pipeline`.
 *
 * @module
 */
export {
  boolean,
  integer,
  list,
  number,
  oneOf,
  type ParamSchema,
  type ParamSpec,
  string,
} from "./params.ts";
export {
  allOf,
  defineStage,
  external,
  type InputArtifact,
  type StageContext,
  type StageDefinition,
  type StageInstance,
  upstream,
} from "./stage.ts";
export { type PipelineDefinition, type PipelineOptions, runCli } from "./cli.ts";
export { type Executor, InProcessExecutor, SubprocessExecutor } from "./executor.ts";
export {
  DEFAULT_RESOURCES,
  overrideResources,
  type StageResources,
  validateResources,
} from "./resources.ts";
