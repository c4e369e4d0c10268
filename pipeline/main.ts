/**
 * The pipeline's command-line entry point (`deno task pipeline`): runs the engine's command line
 * (see cli.ts, `--help`) on the pipeline that `stages/mod.ts` exports as `pipeline` (a list of
 * stage instances, or a function of `{ profile, config, extra }` returning one), accepting the extra
 * options named in its optional export `cliOptions`. The stages are imported at run time, so that
 * the engine's modules never import the science.
 *
 * @module
 */
import { type PipelineDefinition, runCli } from "./cli.ts";

const STAGES_MODULE = new URL("../stages/mod.ts", import.meta.url);

/**
 * Loads `stages/mod.ts`: its `pipeline`, and its optional `cliOptions` (names of extra
 * `--NAME VALUE` options passed to a pipeline function, e.g. ["backend"]).
 */
async function loadPipeline(): Promise<
  { pipeline: PipelineDefinition; cliOptions: readonly string[] }
> {
  const mod = await import(STAGES_MODULE.href);
  if (!mod.pipeline) throw new Error(`${STAGES_MODULE.pathname} must export "pipeline"`);
  return { pipeline: mod.pipeline, cliOptions: mod.cliOptions ?? [] };
}

if (import.meta.main) {
  const loaded = await loadPipeline();
  Deno.exit(
    await runCli(Deno.args, loaded.pipeline, { definitionOptions: loaded.cliOptions }),
  );
}
