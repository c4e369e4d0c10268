/**
 * Reads the `train` and `fit` artifacts back as the plain tables the report layer takes.
 *
 * @module
 */
import type { InputArtifact } from "../pipeline/mod.ts";
import { readMeasurementTable } from "../science/io/measurement_table.ts";
import type { TrainingRunSummary } from "../science/training/training_run.ts";
import {
  type FitRow,
  type RunTables,
  type SolverName,
  type SweepPoint,
  validateRuns,
} from "../report/mod.ts";

/** A showcase run's tables, named by its `run` parameter (ee, flow, agd, gd-0.5, …). */
export async function readRun(artifact: InputArtifact): Promise<RunTables> {
  const summary = await readSummary(artifact);
  const table = (name: string) => readMeasurementTable(`${artifact.path}/${name}`);
  // validateRuns checks the columns the report relies on (step, t, loss) are there.
  const [run] = validateRuns([{
    run: String(artifact.params.run),
    solver: artifact.params.solver as SolverName,
    ...(summary.eta !== null ? { eta: summary.eta } : {}),
    trajectory: await table("trajectory.csv") as unknown as RunTables["trajectory"],
    measurements: await table("measurements.csv") as unknown as RunTables["measurements"],
  }]);
  return run;
}

/** A run's `summary.json`. */
export async function readSummary(artifact: InputArtifact): Promise<TrainingRunSummary> {
  return JSON.parse(await Deno.readTextFile(`${artifact.path}/summary.json`));
}

/** The points and fits of every `fit` artifact. */
export async function readFits(
  artifacts: readonly InputArtifact[],
): Promise<{ points: SweepPoint[]; fits: FitRow[] }> {
  const points: SweepPoint[] = [], fits: FitRow[] = [];
  for (const a of artifacts) {
    const result = JSON.parse(await Deno.readTextFile(`${a.path}/fit.json`));
    points.push(...result.points);
    fits.push(...result.fits);
  }
  return { points, fits };
}
