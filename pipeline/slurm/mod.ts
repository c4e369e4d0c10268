/**
 * The SLURM executor (`--executor slurm`): one batch job per stage instance, the worker of a
 * local run on the shared filesystem, adoption of the jobs of a driver that died, cancellation
 * on Ctrl-C, and what `status` says of jobs in progress. See executor.ts.
 *
 * @module
 */
export { CommandSlurmClient, type SlurmClient } from "./client.ts";
export { SlurmExecutor, type SlurmExecutorOptions } from "./executor.ts";
export { inProgressNotes } from "./in_progress.ts";
export {
  EXECUTOR_HELP,
  noSlurmOptions,
  type SlurmCliOptions,
  slurmExecutorFor,
  takeSlurmOption,
} from "./options.ts";
export {
  type CompletedJob,
  describeJobEnd,
  isFinal,
  type JobInfo,
  parseJobcompLine,
  parseSacct,
  parseSbatch,
  parseSqueue,
} from "./parse.ts";
