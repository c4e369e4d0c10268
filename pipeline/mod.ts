/**
 * The pipeline engine's public API: define stages, build pipelines, run the command line.
 * See stage.ts for a complete example.
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
