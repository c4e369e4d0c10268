/**
 * Reads the `train` and `fit` artifacts back as the plain tables the report layer takes.
 *
 * @module
 */
import type { InputArtifact } from "../pipeline/mod.ts";
import { readMeasurementTable } from "../science/io/measurement_table.ts";
import type { TrainingRunSummary } from "../science/training/training_run.ts";
// The report layer's own modules, not its mod.ts: the fit stage imports this file, and its code
// fingerprint should not change with the figures' or the claims' code.
import {
  type FitRow,
  type RunTables,
  type ShowcaseTables,
  type SolverName,
  type SweepPoint,
  validateRuns,
} from "../report/tables.ts";
import { asEigenSolveRecord, type EigenSolveRecord } from "../report/eigen_solves.ts";

/** A showcase run's tables, named by its `run` parameter (ee, flow, agd, gd-0.5, …). */
export async function readRun(artifact: InputArtifact): Promise<RunTables> {
  const summary = await readSummary(artifact);
  const table = (name: string) => readMeasurementTable(`${artifact.path}/${name}`);
  const eigenSolves = readEigenSolves(summary);
  // validateRuns checks the columns the report relies on (step, t, loss) are there.
  const [run] = validateRuns([{
    run: String(artifact.params.run),
    solver: artifact.params.solver as SolverName,
    ...(summary.eta !== null ? { eta: summary.eta } : {}),
    trajectory: await table("trajectory.csv") as unknown as RunTables["trajectory"],
    measurements: await table("measurements.csv") as unknown as RunTables["measurements"],
    ...(eigenSolves ? { eigenSolves } : {}),
  }]);
  return run;
}

/**
 * The showcase runs grouped by their `config` parameter (`showcase-<name>`), in the order the
 * artifacts come (the pipeline's order).
 */
export async function readShowcases(
  artifacts: readonly InputArtifact[],
): Promise<ShowcaseTables[]> {
  const groups = new Map<string, RunTables[]>();
  for (const a of artifacts) {
    const config = String(a.params.config);
    groups.set(config, [...(groups.get(config) ?? []), await readRun(a)]);
  }
  return [...groups].map(([config, runs]) => ({ config, runs }));
}

/**
 * A run's eigen-solve record (`summary.json`'s `eigenSolves`); undefined in artifacts written
 * before it was recorded, or when it is malformed.
 */
export function readEigenSolves(summary: object): EigenSolveRecord | undefined {
  return asEigenSolveRecord((summary as { eigenSolves?: unknown }).eigenSolves);
}

/** A run's initial mean alignment: the first row of its measurements.csv with `align_mean`. */
export async function initialAlignment(artifact: InputArtifact): Promise<number | undefined> {
  const rows = await readMeasurementTable(`${artifact.path}/measurements.csv`);
  return rows.map((r) => r.align_mean).find((a) => Number.isFinite(a));
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
