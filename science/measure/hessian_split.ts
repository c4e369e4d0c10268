/**
 * The Gauss–Newton split of the Hessian as a measurement (SCIENCE.md §2): top eigenvalues of ℋ's parts
 * G (PSD) and H (by magnitude, signed), and λ¹(Gⁿⁿ) of every layer's diagonal block, so a run can
 * show that λ¹(G) accounts for the sharpness and that the first layer's block dominates.
 *
 * @module
 */
import { curvatureOperator, layerGaussNewtonOperator } from "../model/curvature.ts";
import { type EigenResult, lanczosTopK, type SymmetricOperator } from "../linalg/lanczos.ts";
import type { ObjectivePoint } from "../model/objective.ts";
import type { StatefulMeasurement } from "../training/train.ts";

/** Eigen-solver settings of the split. */
export interface HessianSplitOptions {
  /** Relative residual tolerance of each Lanczos solve; default 1e-4. */
  tolerance?: number;
  /** Block-iteration cap of each solve; default 100. */
  maxIterations?: number;
}

/** The split at one θ; column names as written to the measurement table. */
export type HessianSplit = Record<string, number>;

/**
 * A measurement hook computing `lambda_G`, `lambda_H` and `lambda_G_layer_n` (n = 1..L), its
 * solves counted as the run's `hessian split` eigen-solves. Each solve is warm-started from the
 * previous measurement's eigenvector of the same matrix; those vectors are the hook's state,
 * which checkpoints keep.
 */
export function hessianSplitHook(options: HessianSplitOptions = {}): StatefulMeasurement {
  let previous = new Map<string, Float64Array[]>();
  return {
    measure: ({ point, eigenSolves }) =>
      hessianSplit(point, options, previous, (r) => eigenSolves.record("hessian split", r)),
    // The warm starts are the split's only memory: a checkpoint keeps them.
    state: () =>
      Object.fromEntries([...previous].map(([name, vs]) => [name, vs.map((v) => v.slice())])),
    restore: (state) => {
      previous = new Map(
        Object.entries(state).map(([name, vs]) => [name, vs.map((v) => v.slice())]),
      );
    },
  };
}

/**
 * Computes the split at `point`. `warmStarts` (optional) maps each matrix's column name to the
 * vectors to start from, and is updated with the new eigenvectors; `onSolve` sees each solve.
 */
export function hessianSplit(
  point: ObjectivePoint,
  options: HessianSplitOptions = {},
  warmStarts = new Map<string, Float64Array[]>(),
  onSolve: (result: EigenResult) => void = () => {},
): HessianSplit {
  const solve = (name: string, op: SymmetricOperator, order: "algebraic" | "magnitude") => {
    const result = lanczosTopK(op, {
      k: 1,
      order,
      tolerance: options.tolerance ?? 1e-4,
      maxIterations: options.maxIterations ?? 100,
      start: warmStarts.get(name),
    });
    warmStarts.set(name, result.vectors);
    onSolve(result);
    return result.values[0];
  };
  const split: HessianSplit = {
    lambda_G: solve("lambda_G", curvatureOperator(point, "gaussNewton"), "algebraic"),
    lambda_H: solve("lambda_H", curvatureOperator(point, "residual"), "magnitude"),
  };
  const layers = point.objective.spec.sizes.length - 1;
  for (let n = 1; n <= layers; n++) {
    const block = layerGaussNewtonOperator(point, n);
    split[`lambda_G_layer_${n}`] = solve(`lambda_G_layer_${n}`, block, "algebraic");
  }
  return split;
}
