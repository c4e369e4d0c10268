/**
 * A timed run of the pipeline engine on a benchmark's project, shared by the engine's and the
 * SLURM executor's benchmarks.
 *
 * @module
 */
import type { Executor } from "../pipeline/executor.ts";
import { SILENT_REPORTER } from "../pipeline/progress.ts";
import { type Outcome, runPipeline, type RunSummary } from "../pipeline/run.ts";
import { openSession } from "../pipeline/session.ts";
import type { StageInstance } from "../pipeline/stage.ts";

/**
 * Runs every instance into `root/artifacts` silently; resolves to the wall time and the summary.
 * Throws, naming the first, when an instance ends as `unexpected` says.
 */
export async function timedRun(
  root: string,
  instances: readonly StageInstance[],
  run: { executor: Executor; jobs: number; unexpected: (o: Outcome) => boolean },
): Promise<{ ms: number; summary: RunSummary }> {
  const session = await openSession(root, `${root}/artifacts`);
  const t = performance.now();
  const summary = await runPipeline(session, instances, {
    targets: [],
    jobs: run.jobs,
    executor: run.executor,
    reporter: SILENT_REPORTER,
  });
  const ms = performance.now() - t;
  const failed = [...summary.outcomes.values()].filter(run.unexpected);
  if (failed.length) throw new Error(`bench run failed: ${JSON.stringify(failed[0])}`);
  return { ms, summary };
}
