/**
 * Builds a solver from a plain configuration object (as a stage's parameters give it), validating
 * every field with a clear error.
 *
 * @module
 */
import type { LossKind } from "../model/loss.ts";
import { smallestMaxBasis } from "../linalg/lanczos.ts";
import { DEFAULT_EIGEN_SETTINGS, type EigenSettings } from "./eigen_settings.ts";
import { ExponentialEuler } from "./exponential_euler.ts";
import { AdaptiveGradientDescent, GradientDescent } from "./gradient_descent.ts";
import { GradientFlowRk4 } from "./gradient_flow.ts";
import type { SmoothObjective, Solver } from "./types.ts";
import type { Rng } from "../../util/rng.ts";

/** Optional eigen-solver settings every curvature-using solver accepts. */
interface EigenFields {
  eigenTolerance?: number;
  eigenMaxIterations?: number;
  eigenMaxBasis?: number;
  /** Warm-start extrapolation, a fraction in [0, 1] (EigenSettings.extrapolation). */
  eigenExtrapolation?: number;
}

/** The solvers and their parameters (SCIENCE.md §3). */
export type SolverConfig =
  | { kind: "gd"; eta: number }
  | ({ kind: "agd"; etaMax: number } & EigenFields)
  | ({ kind: "ee"; etaMax: number; k?: number; warmup?: number } & EigenFields)
  | ({ kind: "flow"; dtMax: number; stiffnessFraction?: number } & EigenFields);

/** The solver kinds. */
export const SOLVER_KINDS = ["gd", "agd", "ee", "flow"] as const;

/** EE's default stiff dimension: C for MSE, C − 1 for cross-entropy (SCIENCE.md §3, a choice). */
export function defaultStiffDimension(loss: LossKind, classes: number): number {
  return loss === "cross_entropy" ? classes - 1 : classes;
}

function positive(field: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new Error(`solver.${field}: must be a finite number > 0, got ${value}`);
  }
  return value;
}

function fraction(field: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new Error(`solver.${field}: must be a number in [0, 1], got ${value}`);
  }
  return value;
}

/** Eigen settings for a solver that wants `wanted` eigenpairs, one block of `wanted` vectors. */
function eigenSettings(c: EigenFields, wanted: number, rng?: Rng): EigenSettings {
  const smallestBasis = smallestMaxBasis(wanted, wanted);
  if (
    c.eigenMaxBasis !== undefined &&
    !(Number.isInteger(c.eigenMaxBasis) && c.eigenMaxBasis >= smallestBasis)
  ) {
    throw new Error(
      `solver.eigenMaxBasis: must be an integer ≥ ${smallestBasis} (the ${wanted} ` +
        `eigenpairs this solver computes and two blocks of ${wanted}), got ${c.eigenMaxBasis}`,
    );
  }
  return {
    rng,
    tolerance: c.eigenTolerance === undefined
      ? DEFAULT_EIGEN_SETTINGS.tolerance
      : positive("eigenTolerance", c.eigenTolerance),
    maxIterations: c.eigenMaxIterations === undefined
      ? DEFAULT_EIGEN_SETTINGS.maxIterations
      : Math.ceil(positive("eigenMaxIterations", c.eigenMaxIterations)),
    maxBasis: c.eigenMaxBasis,
    extrapolation: c.eigenExtrapolation === undefined
      ? DEFAULT_EIGEN_SETTINGS.extrapolation
      : fraction("eigenExtrapolation", c.eigenExtrapolation),
  };
}

/**
 * Creates the configured solver for an objective with the given loss and class count; `rng` feeds
 * the eigen-solver's random start vectors (so a checkpoint can save its state).
 *
 * @example Exponential Euler is exact on a quadratic whose Hessian has rank ≤ k
 * ```ts
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * import { QuadraticObjective } from "../testing/quadratic_objective.ts";
 * import { createSolver } from "./create.ts";
 *
 * // L(θ) = ½ (100 θ₁² + θ₂²) in four dimensions: rank 2, EE's k for squared error, 2 classes.
 * const axis = (i: number) => Float64Array.from({ length: 4 }, (_, j) => Number(i === j));
 * const objective = new QuadraticObjective(new Float64Array(4), [100, 1], [axis(0), axis(1)]);
 * const solver = createSolver({ kind: "ee", etaMax: 0.1 }, objective, "mse", 2);
 * const theta0 = Float32Array.of(1, 1, 0, 0);
 * const { theta, report } = solver.step(objective.at(theta0), 0, 0);
 * assertEquals(report.dt, 0.1); // λ₃ = 0: the step is η_max
 * const exact = objective.flow(theta0, report.t); // θ* + e^{−ℋt}(θ₀ − θ*)
 * theta.forEach((x, i) => assertAlmostEquals(x, exact[i], 1e-6));
 * ```
 */
export function createSolver(
  config: SolverConfig,
  objective: SmoothObjective,
  loss: LossKind,
  classes: number,
  rng?: Rng,
): Solver {
  switch (config?.kind) {
    case "gd":
      return new GradientDescent(positive("eta", config.eta));
    case "agd":
      return new AdaptiveGradientDescent(
        positive("etaMax", config.etaMax),
        eigenSettings(config, 1, rng),
      );
    case "ee": {
      const k = config.k ?? defaultStiffDimension(loss, classes);
      if (!Number.isInteger(k) || k < 1) {
        throw new Error(`solver.k: must be an integer ≥ 1, got ${config.k}`);
      }
      const warmup = config.warmup ?? 0;
      if (!Number.isInteger(warmup) || warmup < 0) {
        throw new Error(`solver.warmup: must be an integer ≥ 0 (steps), got ${config.warmup}`);
      }
      return new ExponentialEuler({
        etaMax: positive("etaMax", config.etaMax),
        k,
        warmup,
        eigen: eigenSettings(config, k + 1, rng),
      });
    }
    case "flow":
      return new GradientFlowRk4(objective, {
        dtMax: positive("dtMax", config.dtMax),
        stiffnessFraction: config.stiffnessFraction === undefined
          ? 0.25
          : positive("stiffnessFraction", config.stiffnessFraction),
        eigen: eigenSettings(config, 1, rng),
      });
    default:
      throw new Error(
        `solver.kind: "${(config as { kind?: string })?.kind}" is not one of ${
          SOLVER_KINDS.join(", ")
        }`,
      );
  }
}
