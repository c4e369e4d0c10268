/**
 * The SLURM executor's overhead per job, on a cluster that is already running (`tools/slurm.sh
 * start`, then `eval $(tools/slurm.sh env)`; off by default: `--only slurm`):
 * - 10 trivial stages one at a time (`--jobs 1`, an idle cluster): from sbatch's return to the
 *   batch script's start (scheduling and launch), from its start to its end (the worker's start-up
 *   and a stage that writes one small file), and the runner's time per instance (submission,
 *   both, the driver noticing the end, the commit);
 * - 20 trivial stages submitted at once: wall time.
 * Times come from the job's manifest (`executor`: the driver's clock at submission, the node's at
 * start and end; on one node, one clock).
 *
 * @module
 */
import type { StageInstance } from "../pipeline/stage.ts";
import { DEFAULT_RESOURCES } from "../pipeline/resources.ts";
import { SlurmExecutor } from "../pipeline/slurm/mod.ts";
import { median, quantile } from "../util/stats.ts";
import type { Benchmark, Emit } from "./benchmark.ts";
import { timedRun } from "./_engine_run.ts";

const ENGINE = new URL("../pipeline/mod.ts", import.meta.url).href;

const STAGE_MODULE = `import { defineStage, integer } from "${ENGINE}";
export const trivial = defineStage({
  name: "trivial",
  module: import.meta.url,
  params: { i: integer({ min: 0 }), run: integer({ min: 0 }) },
  outputs: ["value.txt"],
  run: async (ctx) => {
    await Deno.writeTextFile(ctx.output("value.txt"), String(ctx.params.i));
  },
});
`;

async function runTrivial(root: string, n: number, jobs: number, run: number) {
  const mod = await import(`file://${root}/stages.ts`);
  const instances: StageInstance[] = mod.trivial.sweep({
    i: Array.from({ length: n }, (_, i) => i),
  }, { run });
  const executor = new SlurmExecutor({ resourcesOf: () => DEFAULT_RESOURCES });
  const { ms } = await timedRun(root, instances, {
    executor,
    jobs,
    unexpected: (o) => o.kind !== "ran",
  });
  const manifests = [];
  for await (const e of Deno.readDir(`${root}/artifacts/trivial`)) {
    if (!e.isDirectory || e.name.startsWith(".")) continue;
    const m = JSON.parse(
      await Deno.readTextFile(`${root}/artifacts/trivial/${e.name}/manifest.json`),
    );
    if (m.params.run === run) manifests.push(m);
  }
  return { ms, manifests };
}

async function runSlurmBenchmarks(emit: Emit): Promise<void> {
  const line = (name: string, value: number, unit: string) => emit(`slurm.${name}`, value, unit);
  const root = await Deno.makeTempDir({ prefix: "slurm-bench-" });
  try {
    await Deno.writeTextFile(`${root}/stages.ts`, STAGE_MODULE);
    const one = await runTrivial(root, 10, 1, 0);
    const at = (s: string) => Date.parse(s);
    const queued = one.manifests.map((m) => at(m.executor.startedAt) - at(m.executor.submittedAt));
    const ran = one.manifests.map((m) => at(m.executor.endedAt) - at(m.executor.startedAt));
    const perJob = one.manifests.map((m) => m.durationMs);
    line("submit_to_start_median", median(queued), "ms");
    line("submit_to_start_p90", quantile(queued, 0.9), "ms");
    line("start_to_finish_trivial_median", median(ran), "ms");
    line("runner_per_trivial_job_median", median(perJob), "ms");
    const many = await runTrivial(root, 20, 100, 1);
    line("run_20_trivial_stages_at_once", many.ms, "ms");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** The SLURM executor's benchmarks, for bench/main.ts (they need a running cluster). */
export const slurmBenchmarks: Benchmark[] = [{
  name: "slurm",
  description: "SLURM executor: submit-to-start and start-to-finish of trivial stages",
  byDefault: false,
  run: runSlurmBenchmarks,
}];
