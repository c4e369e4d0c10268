/**
 * The pipeline's command-line entry point (`deno task pipeline`): runs the engine's command line
 * (see cli.ts, `--help`) on the pipeline that `stages/mod.ts` exports as `pipeline` (a list of
 * stage instances, or a function of `{ profile, config, extra }` returning one), accepting the extra
 * options named in its optional export `cliOptions`.
 *
 * @module
 */
import { type PipelineDefinition, runCli } from "./cli.ts";

const STAGES_MODULE = new URL("../stages/mod.ts", import.meta.url);

/**
 * Loads `stages/mod.ts`: its `pipeline`, and its optional `cliOptions` (names of extra
 * `--NAME VALUE` options passed to a pipeline function, e.g. ["backend"]); null when that module
 * does not exist yet.
 */
async function loadPipeline(): Promise<
  { pipeline: PipelineDefinition; cliOptions: readonly string[] } | null
> {
  try {
    await Deno.stat(STAGES_MODULE);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const mod = await import(STAGES_MODULE.href);
  if (!mod.pipeline) throw new Error(`${STAGES_MODULE.pathname} must export "pipeline"`);
  return { pipeline: mod.pipeline, cliOptions: mod.cliOptions ?? [] };
}

if (import.meta.main) {
  const loaded = await loadPipeline();
  if (!loaded) {
    console.error(
      "pipeline: not yet available — the reproduction stages (stages/mod.ts, issue 6) have not " +
        "landed",
    );
    Deno.exit(2);
  }
  Deno.exit(
    await runCli(Deno.args, loaded.pipeline, { definitionOptions: loaded.cliOptions }),
  );
}
