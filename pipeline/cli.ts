/**
 * The command line of the engine: `runCli(args, definition)` parses the arguments, builds the
 * pipeline from its definition and runs a command. It returns the exit code: 0 success, 1 a stage
 * failed (or verify found corruption), 2 a usage or definition error.
 *
 * @module
 */
import type { Executor } from "./executor.ts";
import { buildDag, dagMermaid, dagText, selectNodes } from "./graph.ts";
import { helpText, parseArgs, type ParsedArgs } from "./_cli_args.ts";
import { type BuiltPipeline, storeCommand } from "./_cli_commands.ts";
import type { ConsoleReporter } from "./progress.ts";
import { openSession } from "./session.ts";
import type { StageInstance } from "./stage.ts";

export { helpText, parseArgs };

/** Options a pipeline definition function receives from the command line. */
export interface PipelineOptions {
  /** `--profile NAME`. */
  readonly profile?: string;
  /** `--config FILE`: a user file of parameter overrides. */
  readonly config?: string;
  /** The definition's own `--NAME VALUE` options (see CliEnvironment.definitionOptions). */
  readonly extra: Readonly<Record<string, string>>;
}

/** A pipeline: a list of instances, or a function of the command-line options returning one. */
export type PipelineDefinition =
  | readonly StageInstance[]
  | ((options: PipelineOptions) => readonly StageInstance[] | Promise<readonly StageInstance[]>);

/** Where the CLI works and writes; defaults suit `deno task pipeline`. */
export interface CliEnvironment {
  /** The project root (default: the working directory). */
  readonly projectRoot?: string;
  readonly executor?: Executor;
  /** Text output (default: stdout). */
  readonly out?: (line: string) => void;
  /** Progress output (default: stderr; live lines when it is a terminal). */
  readonly reporter?: ConsoleReporter;
  /** Names of extra `--NAME VALUE` options the definition accepts (e.g. "backend"). */
  readonly definitionOptions?: readonly string[];
}

/** Runs the command line against a pipeline definition; resolves to the exit code. */
export async function runCli(
  args: readonly string[],
  definition: PipelineDefinition,
  env: CliEnvironment = {},
): Promise<number> {
  const out = env.out ?? ((line: string) => console.log(line));
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args, env.definitionOptions);
  } catch (error) {
    return fail(error, args.includes("--verbose") || args.includes("-v"));
  }
  if (parsed.help) {
    out(helpText(env.definitionOptions));
    return 0;
  }
  const projectRoot = env.projectRoot ?? Deno.cwd();
  let pipeline: BuiltPipeline;
  try {
    pipeline = await buildPipeline(definition, parsed);
  } catch (error) {
    return fail(error, parsed.verbose);
  }
  if (parsed.command === "dag") {
    out(parsed.mermaid ? dagMermaid(pipeline.dag) : dagText(pipeline.dag, parsed.verbose));
    return 0;
  }
  try {
    const session = await openSession(projectRoot, artifactsDir(parsed.artifacts, projectRoot));
    return await storeCommand(session, pipeline, { ...parsed, command: parsed.command }, env, out);
  } catch (error) {
    return fail(error, parsed.verbose);
  }
}

/** The definition's instances and their DAG; throws on a bad definition or an unknown target. */
async function buildPipeline(
  definition: PipelineDefinition,
  parsed: ParsedArgs,
): Promise<BuiltPipeline> {
  const instances = typeof definition === "function"
    ? await definition({ profile: parsed.profile, config: parsed.config, extra: parsed.extra })
    : definition;
  const dag = buildDag(instances);
  selectNodes(dag, { targets: [...parsed.targets, ...parsed.from] });
  return { instances, dag };
}

/** `--artifacts DIR` (relative to the project root), or the project's `artifacts/`. */
function artifactsDir(given: string | null, projectRoot: string): string {
  if (!given) return `${projectRoot}/artifacts`;
  return given.startsWith("/") ? given : `${projectRoot}/${given}`;
}

/** One line naming what went wrong (the stack too with --verbose); the exit code 2. */
function fail(error: unknown, verbose: boolean): number {
  const e = error as Error;
  console.error(`pipeline: ${e?.message ?? String(error)}`);
  if (verbose && e?.stack) console.error(e.stack);
  return 2;
}
