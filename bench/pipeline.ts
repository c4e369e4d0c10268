/**
 * Benchmarks of the pipeline engine, printed as stable `name value unit` lines:
 * - a no-op run and a status of a synthetic DAG of 1,000 stage instances with small artifacts
 *   (a binary tree: instance i reads instance ⌊(i−1)/2⌋), in-process and through the command line;
 * - the overhead of running 100 trivial stages, each in its own subprocess;
 * - the code fingerprint of every stage of this reproduction (from stages/mod.ts), with no cached
 *   runtime code (a new artifact store: TypeScript's parser loads, every module is parsed) and
 *   with it (what every later status pays).
 *
 * Run alone: `./deno task bench --only pipeline`.
 *
 * @module
 */
import { InProcessExecutor, SubprocessExecutor } from "../pipeline/executor.ts";
import type { Executor } from "../pipeline/executor.ts";
import { evaluateAll, openSession } from "../pipeline/session.ts";
import { CodeFingerprinter } from "../pipeline/fingerprint.ts";
import { HashState } from "../pipeline/hash_state.ts";
import { buildDag } from "../pipeline/graph.ts";
import type { StageInstance } from "../pipeline/stage.ts";
import type { Benchmark, Emit } from "./benchmark.ts";
import { timedRun } from "./_engine_run.ts";

const ENGINE = new URL("../pipeline/mod.ts", import.meta.url).href;

const STAGE_MODULE = `import { allOf, defineStage, integer, upstream } from "${ENGINE}";
export const node = defineStage({
  name: "node",
  module: import.meta.url,
  params: { i: integer({ min: 0 }) },
  inputs: (p) => (p.i === 0 ? {} : { parent: upstream("node", { i: Math.floor((p.i - 1) / 2) }) }),
  outputs: ["value.txt"],
  run: async (ctx) => {
    const parent = ctx.params.i === 0 ? "" : await Deno.readTextFile(ctx.input("parent") + "/value.txt");
    await Deno.writeTextFile(ctx.output("value.txt"), (parent + ctx.params.i + "\\n").slice(-200));
  },
});
export function pipeline(n: number) {
  return node.sweep({ i: Array.from({ length: n }, (_, i) => i) });
}
`;

const CLI = `import { runCli } from "${ENGINE}";
import { pipeline } from "./stages.ts";
Deno.exit(await runCli(Deno.args, pipeline(Number(Deno.env.get("BENCH_STAGES")))));
`;

async function makeProject(): Promise<{ root: string; instances: (n: number) => StageInstance[] }> {
  const root = await Deno.makeTempDir({ prefix: "pipeline-bench-" });
  await Deno.writeTextFile(`${root}/stages.ts`, STAGE_MODULE);
  await Deno.writeTextFile(`${root}/cli.ts`, CLI);
  const mod = await import(`file://${root}/stages.ts`);
  return { root, instances: mod.pipeline };
}

function run(root: string, instances: StageInstance[], executor: Executor, jobs: number) {
  return timedRun(root, instances, { executor, jobs, unexpected: (o) => o.kind === "failed" });
}

async function cliMs(root: string, stages: number, ...args: string[]): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${root}/cli.ts`, ...args],
    cwd: root,
    env: { BENCH_STAGES: String(stages) },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return performance.now() - t;
}

/** Runs the engine's benchmarks, emitting `pipeline.*` lines. */
async function runPipelineBenchmarks(emit: Emit): Promise<void> {
  const line = (name: string, value: number, unit: string) => emit(`pipeline.${name}`, value, unit);
  const { root, instances } = await makeProject();
  try {
    const big = instances(1000);
    // Fill the cache in-process (the engine's bookkeeping, not subprocess start-up, is measured).
    await run(root, big, new InProcessExecutor(), 1);
    // Let the outputs age past the hash state's one-second "racy" window, then warm it.
    await new Promise((r) => setTimeout(r, 1100));
    const cold = await run(root, big, new InProcessExecutor(), 1);
    line("noop_1000_stages_cold_hash_state", cold.ms, "ms");
    const warm = await run(root, big, new InProcessExecutor(), 1);
    if ([...warm.summary.outcomes.values()].some((o) => o.kind !== "fresh")) {
      throw new Error("the no-op run was not a no-op");
    }
    line("noop_1000_stages", warm.ms, "ms");
    const session = await openSession(root, `${root}/artifacts`);
    const t = performance.now();
    await evaluateAll(session, buildDag(big));
    line("status_1000_stages", performance.now() - t, "ms");
    line("noop_1000_stages_cli", await cliMs(root, 1000, "run", "--quiet"), "ms");
    line("status_1000_stages_cli", await cliMs(root, 1000, "status"), "ms");
  } finally {
    await Deno.remove(root, { recursive: true });
  }

  const small = await makeProject();
  try {
    const jobs = navigator.hardwareConcurrency;
    const sub = await run(small.root, small.instances(100), new SubprocessExecutor(), jobs);
    line("run_100_trivial_stages_subprocess", sub.ms, "ms");
    line("overhead_per_trivial_stage_subprocess", (sub.ms * jobs) / 100, "ms·core");
    await Deno.remove(`${small.root}/artifacts`, { recursive: true });
    const inproc = await run(small.root, small.instances(100), new InProcessExecutor(), jobs);
    line("run_100_trivial_stages_in_process", inproc.ms, "ms");
  } finally {
    await Deno.remove(small.root, { recursive: true });
  }
  await fingerprintBenchmarks(line);
}

/** Fingerprints stages/mod.ts (every stage's code), without then with the runtime-code cache. */
async function fingerprintBenchmarks(line: (name: string, value: number, unit: string) => void) {
  const project = new URL("..", import.meta.url).pathname;
  const stages = new URL("../stages/mod.ts", import.meta.url).href;
  const dir = await Deno.makeTempDir({ prefix: "pipeline-bench-" });
  try {
    const hashes = await HashState.load(`${dir}/hash-state.json`);
    for (const name of ["fingerprint_all_stages_no_cache", "fingerprint_all_stages"]) {
      const t = performance.now();
      await new CodeFingerprinter(project, hashes, `${dir}/runtime-code.json`).of(stages);
      line(name, performance.now() - t, "ms");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The engine's benchmarks, for bench/main.ts. */
export const pipelineBenchmarks: Benchmark[] = [{
  name: "pipeline",
  description:
    "no-op run and status of 1,000 stages; overhead of 100 trivial stages; code fingerprints",
  byDefault: true,
  run: runPipelineBenchmarks,
}];
