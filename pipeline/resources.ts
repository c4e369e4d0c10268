/**
 * What one stage instance needs from a batch system: cores, memory, a time limit and GPUs. A stage
 * declares its own (`defineStage({ resources })`), a pipeline definition may override them per
 * stage (from its profile), and so may the command line (`--slurm-resources`); the engine default
 * fills the rest. Resources never enter a cache key: where a stage ran does not change its bytes.
 *
 * Defaults: 1 core (a stage is one process, whose main work runs on one thread), 2G of memory (a
 * Deno process with its modules and a small model stays well under it), 1 hour (long enough for
 * the small stages, short enough that a hung job does not hold a node for a day), no GPU.
 *
 * @module
 */
import type { StageInstance } from "./stage.ts";

/** A stage instance's needs. */
export interface StageResources {
  /** CPU cores (SLURM `--cpus-per-task`); the stage is told them in `PIPELINE_CORES`. */
  readonly cores: number;
  /** Memory, a whole number with an optional unit K, M, G or T (SLURM `--mem`; no unit: M). */
  readonly memory: string;
  /** Wall-time limit in SLURM's format: M, M:S, H:M:S, D-H, D-H:M or D-H:M:S (`--time`). */
  readonly timeLimit: string;
  /** GPUs (SLURM `--gres=gpu:N`). */
  readonly gpus: number;
}

/** The engine's defaults (see the module documentation for why). */
export const DEFAULT_RESOURCES: StageResources = {
  cores: 1,
  memory: "2G",
  timeLimit: "1:00:00",
  gpus: 0,
};

const FIELDS = Object.keys(DEFAULT_RESOURCES) as (keyof StageResources)[];
const MEMORY = /^[1-9][0-9]*[KMGT]?$/;
const TIME = /^(?:[0-9]+-[0-9]+(?::[0-9]{1,2}){0,2}|[0-9]+(?::[0-9]{1,2}){0,2})$/;

/**
 * Checks a partial set of resources; throws naming `where`, the field and what it allows.
 * Returns it unchanged.
 */
export function validateResources(
  where: string,
  r: Readonly<Record<string, unknown>>,
): Partial<StageResources> {
  if (typeof r !== "object" || r === null || Array.isArray(r)) {
    throw new Error(`${where}: must be an object with ${FIELDS.join(", ")}, got ${show(r)}`);
  }
  for (const [key, value] of Object.entries(r)) {
    const at = `${where}.${key}`;
    switch (key) {
      case "cores":
        if (!Number.isInteger(value) || (value as number) < 1) {
          throw new Error(`${at}: must be an integer ≥ 1, got ${show(value)}`);
        }
        break;
      case "gpus":
        if (!Number.isInteger(value) || (value as number) < 0) {
          throw new Error(`${at}: must be an integer ≥ 0, got ${show(value)}`);
        }
        break;
      case "memory":
        if (typeof value !== "string" || !MEMORY.test(value)) {
          throw new Error(`${at}: must be like 512M, 4G or 1T, got ${show(value)}`);
        }
        break;
      case "timeLimit":
        if (typeof value !== "string" || !TIME.test(value) || /^0*(?:[-:]0*)*$/.test(value)) {
          throw new Error(
            `${at}: must be a non-zero time as M, M:S, H:M:S, D-H, D-H:M or D-H:M:S, got ${
              show(value)
            }`,
          );
        }
        break;
      default:
        throw new Error(`${at}: unknown field; allowed: ${FIELDS.join(", ")}`);
    }
  }
  return r as Partial<StageResources>;
}

/** The defaults overridden by each of `layers` in turn (later wins). */
export function resolveResources(
  ...layers: (Partial<StageResources> | undefined)[]
): StageResources {
  return Object.assign({}, DEFAULT_RESOURCES, ...layers.filter(Boolean));
}

/**
 * Parses the command line's `STAGE:KEY=VALUE[,KEY=VALUE…]` (KEY one of cores, memory, time,
 * gpus; `time` is timeLimit), e.g. `train:cores=4,memory=8G,time=12:00:00`.
 */
export function parseResourceOption(text: string): {
  stage: string;
  resources: Partial<StageResources>;
} {
  const where = `--slurm-resources ${text}`;
  const colon = text.indexOf(":");
  const stage = text.slice(0, colon);
  if (colon < 1 || colon === text.length - 1) {
    throw new Error(
      `${where}: must be STAGE:KEY=VALUE[,KEY=VALUE…], e.g. train:cores=4,time=2:00:00`,
    );
  }
  const fields: Record<string, unknown> = {};
  for (const pair of text.slice(colon + 1).split(",")) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new Error(`${where}: "${pair}" must be KEY=VALUE`);
    const key = pair.slice(0, eq) === "time" ? "timeLimit" : pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    fields[key] = key === "cores" || key === "gpus"
      ? (/^\d+$/.test(value) ? Number(value) : value)
      : value;
  }
  return { stage, resources: validateResources(`${where}: ${stage}`, fields) };
}

function show(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : JSON.stringify(v) ?? String(v);
}

/**
 * The instances with the resources of the stages named in `byStage` overridden (`where` names
 * the source in errors, e.g. "profile resources"); a name that is no stage of the pipeline is an
 * error that lists them.
 */
export function overrideResources(
  instances: readonly StageInstance[],
  byStage: Readonly<Record<string, Partial<StageResources>>>,
  where: string,
): StageInstance[] {
  const names = [...new Set(instances.map((i) => i.definition.name))];
  for (const [stage, r] of Object.entries(byStage)) {
    if (!names.includes(stage)) {
      throw new Error(
        `${where}: no stage "${stage}" in the pipeline (stages: ${names.join(", ")})`,
      );
    }
    validateResources(`${where}: ${stage}`, r);
  }
  return instances.map((i) => {
    const over = byStage[i.definition.name];
    return over ? { ...i, resources: { ...i.resources, ...over } } : i;
  });
}

/** The resources an instance runs with: defaults, then its stage's, then its own overrides. */
export function instanceResources(instance: StageInstance): StageResources {
  return resolveResources(instance.definition.resources, instance.resources);
}
