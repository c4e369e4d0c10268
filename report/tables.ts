/**
 * The table contracts between the pipeline's stages and the presentation layer, with validation
 * that names the offending field, and small helpers to read optional columns.
 *
 * @module
 */

import type { EigenSolveRecord } from "./eigen_solves.ts";

/** The solvers a run may come from (SCIENCE.md §3). */
export const SOLVERS = ["ee", "gd", "agd", "flow"] as const;

/** A solver name: exponential Euler, gradient descent, adaptive GD, the gradient-flow reference. */
export type SolverName = typeof SOLVERS[number];

/** A cell as read from JSON: NaN and ±∞ may arrive as null. */
export type Cell = number | null | undefined;

/** One training step of a run. `accuracy` and `dt` are optional. */
export interface TrajectoryTableRow {
  step: number;
  t: number;
  loss: number;
  accuracy?: Cell;
  dt?: Cell;
}

/**
 * One measurement of a run (every M steps): `step`, `t`, and optional columns `loss`,
 * `sharpness`, `lambda_G`, `lambda_H`, `lambda_G_layer_1` … `lambda_G_layer_L`, `align_mean`,
 * `align_geomean`, `align_frob_mean`, `align_j0_mean`, `s1_norm_mean`, `gain_product_mean`,
 * `alpha_1` … `alpha_{L−1}`.
 */
export interface MeasurementTableRow {
  step: number;
  t: number;
  [column: string]: Cell;
}

/** One training run with its tables. `eta` is required for GD (its 2/η line and EoS check). */
export interface RunTables {
  run: string;
  solver: SolverName;
  eta?: number;
  trajectory: TrajectoryTableRow[];
  measurements: MeasurementTableRow[];
  /** The run's eigen-solve record from its summary, when it has one. */
  eigenSolves?: EigenSolveRecord;
}

/** One showcase configuration (`showcase-<name>`): its runs from one init (claims 1–3). */
export interface ShowcaseTables {
  config: string;
  runs: RunTables[];
}

/**
 * One run of the power-law sweep: configuration, dataset size, seed and final mean alignment;
 * with, when recorded, the initial mean alignment, the steps taken and the rule that stopped the
 * run (claim 4's informative rule needs the first two), and its eigen-solve record.
 */
export interface SweepPoint {
  config: string;
  N: number;
  seed: number;
  alignment: number;
  initialAlignment?: number;
  steps?: number;
  stopReason?: string;
  eigenSolves?: EigenSolveRecord;
}

/** A fitted power law ln ā = ln c + β ln N, over per-seed points or per-N means. */
export interface FitRow {
  config: string;
  over: "seeds" | "means";
  beta: number;
  beta_ci_low: number;
  beta_ci_high: number;
  c: number;
  r2: number;
  points: number;
}

/** The value of `column` in `row` when it is a finite number, else undefined. */
export function finiteCell(row: Record<string, unknown>, column: string): number | undefined {
  const v = row[column];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** (t, value) pairs of a column with finite values, sorted by t. */
export function columnSeries(rows: Record<string, unknown>[], column: string): [number, number][] {
  const out: [number, number][] = [];
  for (const row of rows) {
    const t = finiteCell(row, "t"), v = finiteCell(row, column);
    if (t !== undefined && v !== undefined) out.push([t, v]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The indices n of the columns `<prefix>n` present in any row, ascending. */
export function indexedColumns(rows: Record<string, unknown>[], prefix: string): number[] {
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  const found = new Set<number>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const m = key.match(pattern);
      if (m) found.add(Number(m[1]));
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** A step size for labels: 3 significant digits (η = 0.0528, not 0.05279283770342541). */
export function formatStep(eta: number): string {
  return String(Number(eta.toPrecision(3)));
}

/** A run's legend label: "EE", "GD η=0.0528", "adaptive GD", "gradient flow". */
export function runLabel(run: RunTables): string {
  switch (run.solver) {
    case "ee":
      return run.run === "ee" ? "EE" : `EE (${run.run})`;
    case "gd":
      return `GD η=${formatStep(run.eta as number)}`;
    case "agd":
      return run.run === "agd" ? "adaptive GD" : `adaptive GD (${run.run})`;
    case "flow":
      return "gradient flow";
  }
}

/** Checks the showcases' structure: unique configuration names, then each one's runs. */
export function validateShowcases(showcases: ShowcaseTables[]): ShowcaseTables[] {
  if (!Array.isArray(showcases)) throw new Error("showcases: expected an array");
  const names = new Set<string>();
  showcases.forEach((s, i) => {
    if (typeof s.config !== "string" || s.config === "") {
      throw new Error(`showcases[${i}].config: expected a non-empty string`);
    }
    if (names.has(s.config)) throw new Error(`showcases[${i}].config: "${s.config}" is not unique`);
    names.add(s.config);
    validateRuns(s.runs, `showcases[${i}].runs`);
  });
  return showcases;
}

/** Checks the run tables' structure, throwing an error that names the field and allowed values. */
export function validateRuns(runs: RunTables[], path = "runs"): RunTables[] {
  if (!Array.isArray(runs)) throw new Error(`${path}: expected an array of runs`);
  const names = new Set<string>();
  runs.forEach((r, i) => {
    const where = `${path}[${i}]`;
    if (typeof r.run !== "string" || r.run === "") {
      throw new Error(`${where}.run: expected a non-empty string`);
    }
    if (names.has(r.run)) throw new Error(`${where}.run: "${r.run}" is not unique`);
    names.add(r.run);
    if (!(SOLVERS as readonly string[]).includes(r.solver)) {
      throw new Error(`${where}.solver: "${r.solver}" is not one of ${SOLVERS.join(", ")}`);
    }
    if (r.eta !== undefined && !(Number.isFinite(r.eta) && r.eta > 0)) {
      throw new Error(`${where}.eta: ${r.eta} is not a positive finite number`);
    }
    if (r.solver === "gd" && r.eta === undefined) {
      throw new Error(`${where}.eta: required for solver "gd"`);
    }
    for (const table of ["trajectory", "measurements"] as const) {
      if (!Array.isArray(r[table])) throw new Error(`${where}.${table}: expected an array of rows`);
      r[table].forEach((row, j) => {
        for (const col of ["step", "t"]) {
          if (finiteCell(row as unknown as Record<string, unknown>, col) === undefined) {
            throw new Error(`${where}.${table}[${j}].${col}: expected a finite number`);
          }
        }
      });
    }
  });
  return runs;
}
