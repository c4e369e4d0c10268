/**
 * How many cores this process may use. Where something shares the machine out (the pipeline gives
 * each stage it runs its share, pipeline/executor.ts), it says so in the environment variable
 * `PIPELINE_CORES`; without it the machine's cores are this process's. The science's threads
 * (kernel helpers, data-parallel workers) size themselves by it, so that stages running side by
 * side do not crowd each other.
 *
 * @module
 */

/** The environment variable with the number of cores this process may use. */
export const CORES_ENV = "PIPELINE_CORES";

/** This process's cores: `PIPELINE_CORES` when set (an integer ≥ 1), else the machine's. */
export function coresOfThisProcess(): number {
  let text: string | undefined;
  try {
    text = Deno.env.get(CORES_ENV);
  } catch {
    // No permission to read the environment: the machine's cores are ours.
  }
  const cores = text === undefined ? navigator.hardwareConcurrency : Number(text);
  if (!Number.isInteger(cores) || cores < 1) {
    throw new Error(`${CORES_ENV}: must be an integer ≥ 1, got "${text}"`);
  }
  return cores;
}
