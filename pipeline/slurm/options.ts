/**
 * The command line's SLURM options, and the executor they make: `--slurm-partition`,
 * `--slurm-account`, `--slurm-args` (extra sbatch arguments) and `--slurm-resources` (per-stage
 * resources over the stages' and the profile's). They need `--executor slurm`.
 *
 * @module
 */
import {
  DEFAULT_RESOURCES,
  instanceResources,
  overrideResources,
  parseResourceOption,
  type StageResources,
} from "../resources.ts";
import type { StageInstance } from "../stage.ts";
import { SlurmExecutor } from "./executor.ts";

/** The SLURM options as given. */
export interface SlurmCliOptions {
  partition?: string;
  account?: string;
  sbatchArgs: string[];
  resources: Record<string, Partial<StageResources>>;
  /** The flags given, to refuse them without `--executor slurm`. */
  given: string[];
}

/** The `--help` lines of the executor options. */
export const EXECUTOR_HELP = `
  --executor NAME local (default: subprocesses on this machine) or slurm (one SLURM job per
                  instance; the project, artifacts and Deno on a filesystem the nodes share)
  --slurm-partition NAME, --slurm-account NAME   sbatch's --partition and --account
  --slurm-args "ARGS"   extra sbatch arguments, split at spaces (repeatable)
  --slurm-resources STAGE:KEY=VALUE[,KEY=VALUE...]   a stage's resources (repeatable); KEY is
                  cores, memory (e.g. 8G), time (e.g. 2:00:00 or 1-12:00:00) or gpus`;

/** Empty options. */
export function noSlurmOptions(): SlurmCliOptions {
  return { sbatchArgs: [], resources: {}, given: [] };
}

/**
 * Takes one SLURM option off the command line into `into`; false when `flag` is not one.
 * `value` takes the next argument (refusing another option), `raw` takes it as it is.
 */
export function takeSlurmOption(
  flag: string,
  value: (flag: string) => string,
  raw: (flag: string) => string,
  into: SlurmCliOptions,
): boolean {
  switch (flag) {
    case "--slurm-partition":
      into.partition = value(flag);
      break;
    case "--slurm-account":
      into.account = value(flag);
      break;
    case "--slurm-args":
      into.sbatchArgs.push(...raw(flag).split(/\s+/).filter(Boolean));
      break;
    case "--slurm-resources": {
      const { stage, resources } = parseResourceOption(value(flag));
      into.resources[stage] = { ...into.resources[stage], ...resources };
      break;
    }
    default:
      return false;
  }
  into.given.push(flag);
  return true;
}

/**
 * The executor of a run: the instances' resources (stage, profile, then `--slurm-resources`;
 * an unknown stage there is an error) and the sbatch options.
 */
export function slurmExecutorFor(
  instances: readonly StageInstance[],
  options: SlurmCliOptions,
  notice: (message: string) => void,
): SlurmExecutor {
  const resolved = overrideResources(instances, options.resources, "--slurm-resources");
  const byId = new Map(resolved.map((i) => [i.id, instanceResources(i)]));
  return new SlurmExecutor({
    resourcesOf: (id) => byId.get(id) ?? DEFAULT_RESOURCES,
    partition: options.partition,
    account: options.account,
    sbatchArgs: options.sbatchArgs,
    notice,
  });
}
