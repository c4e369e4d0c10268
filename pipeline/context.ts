/**
 * The job a stage instance runs (what the runner hands an executor) and the context its `run`
 * function sees. Shared by the subprocess worker and the in-process executor.
 *
 * @module
 */
import { validateParams } from "./params.ts";
import {
  type InputArtifact,
  isStageDefinition,
  type StageContext,
  type StageDefinition,
  type UpstreamFailure,
} from "./stage.ts";

/** Everything needed to run one stage instance, in plain JSON. */
export interface StageJob {
  /** URL of the module that exports the stage. */
  readonly module: string;
  readonly stage: string;
  readonly instanceId: string;
  readonly params: Record<string, unknown>;
  readonly inputs: Record<string, InputArtifact | readonly InputArtifact[]>;
  /** The temporary output directory. */
  readonly outDir: string;
  /** The persistent work directory of this key (see Store.workDir). */
  readonly workDir: string;
  readonly outputs: readonly string[];
  /** The project root: the working directory of the stage. */
  readonly projectRoot: string;
  /** Upstream instances that failed in this run (stages with `partialInputs` only). */
  readonly failures?: readonly UpstreamFailure[];
}

/** What a running stage reports to the runner. */
export interface StageEvents {
  progress(done: number, total: number, note?: string): void;
  log(line: string): void;
  record(fields: Record<string, unknown>): void;
}

/** Imports a stage's module and finds the exported definition with the job's stage name. */
export async function loadStage(job: StageJob): Promise<StageDefinition> {
  const mod = await import(job.module);
  const found = [
    ...new Set(Object.values(mod).filter((v) => isStageDefinition(v) && v.name === job.stage)),
  ];
  if (found.length !== 1) {
    throw new Error(
      `module ${job.module} must export exactly one stage named "${job.stage}" (found ${found.length})`,
    );
  }
  return found[0] as StageDefinition;
}

/** Builds the context object a stage's `run` function receives. */
export function createContext(
  job: StageJob,
  definition: StageDefinition,
  events: StageEvents,
): StageContext<Record<string, unknown>> {
  const params = validateParams(job.stage, definition.params, job.params);
  const inputNames = Object.keys(job.inputs).join(", ") || "none";
  return {
    params,
    inputs: job.inputs,
    outDir: job.outDir,
    workDir: job.workDir,
    input(name) {
      const a = job.inputs[name];
      if (!a) throw new Error(`stage ${job.stage}: no input "${name}" (inputs: ${inputNames})`);
      if (Array.isArray(a)) {
        throw new Error(`stage ${job.stage}: input "${name}" is a list: use inputList`);
      }
      return (a as InputArtifact).path;
    },
    inputList(name) {
      const a = job.inputs[name];
      if (!a) throw new Error(`stage ${job.stage}: no input "${name}" (inputs: ${inputNames})`);
      return Array.isArray(a) ? a : [a as InputArtifact];
    },
    output(name) {
      if (!job.outputs.includes(name)) {
        throw new Error(
          `stage ${job.stage}: "${name}" is not a declared output (outputs: ${
            job.outputs.join(", ")
          })`,
        );
      }
      const slash = name.lastIndexOf("/");
      if (slash > 0) Deno.mkdirSync(`${job.outDir}/${name.slice(0, slash)}`, { recursive: true });
      return `${job.outDir}/${name}`;
    },
    progress: (done, total, note) => events.progress(done, total, note),
    log: (message) => events.log(message),
    record: (fields) => events.record(structuredClone(fields)),
    failures: job.failures ?? [],
  };
}

/** Runs a job in the current process: loads the stage, builds the context, awaits `run`. */
export async function runJob(job: StageJob, events: StageEvents): Promise<void> {
  const definition = await loadStage(job);
  await definition.run(createContext(job, definition, events));
}
