/**
 * The pipeline's command-line entry point (`deno task pipeline`): runs the engine's command line
 * (see cli.ts, `--help`) on the pipeline that `stages/mod.ts` exports as `pipeline` (a list of
 * stage instances, or a function of `{ profile, config }` returning one).
 *
 * @module
 */
import { type PipelineDefinition, runCli } from "./cli.ts";

const STAGES_MODULE = new URL("../stages/mod.ts", import.meta.url);

/** Loads `stages/mod.ts`'s `pipeline`, or null when that module does not exist yet. */
async function loadPipeline(): Promise<PipelineDefinition | null> {
  try {
    await Deno.stat(STAGES_MODULE);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const mod = await import(STAGES_MODULE.href);
  if (!mod.pipeline) throw new Error(`${STAGES_MODULE.pathname} must export "pipeline"`);
  return mod.pipeline as PipelineDefinition;
}

if (import.meta.main) {
  const pipeline = await loadPipeline();
  if (!pipeline) {
    console.error(
      "pipeline: not yet available — the reproduction stages (stages/mod.ts, issue 6) have not " +
        "landed",
    );
    Deno.exit(2);
  }
  Deno.exit(await runCli(Deno.args, pipeline));
}
