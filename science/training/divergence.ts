/**
 * Detects a diverging run (NaN/Inf loss or gradient, or a loss explosion) and explains it.
 *
 * @module
 */

/** What went wrong, where, and the likely cause. */
export interface Divergence {
  step: number;
  t: number;
  loss: number;
  previousLoss: number | null;
  /** A human-readable diagnosis. */
  diagnosis: string;
}

/** Thrown by the training loop when a run diverges; `divergence` has the details. */
export class TrainingDivergedError extends Error {
  constructor(readonly divergence: Divergence) {
    super(divergence.diagnosis);
    this.name = "TrainingDivergedError";
  }
}

/** What the check needs to know about the run so far. */
export interface DivergenceContext {
  step: number;
  t: number;
  previousLoss: number | null;
  lastRow?: { dt: number };
  lastSharpness?: number;
}

/**
 * A check for one run: divergence when the loss or the gradient is not finite, or when the loss
 * exceeds `explosionFactor` × the initial loss.
 */
export function divergenceCheck(explosionFactor: number, solver: string) {
  if (!(explosionFactor > 1)) {
    throw new Error(`explosionFactor: must be a number > 1, got ${explosionFactor}`);
  }
  return (
    point: { loss: number; gradient: ArrayLike<number> },
    initialLoss: number,
    ctx: DivergenceContext,
  ): Divergence | null => {
    let what: string | null = null;
    if (!Number.isFinite(point.loss)) what = `the loss is ${point.loss}`;
    else if (!allFinite(point.gradient)) what = "the gradient has NaN/Inf entries";
    else if (point.loss > explosionFactor * initialLoss) {
      what = `the loss exploded to ${point.loss} (> ${explosionFactor} × initial ${initialLoss})`;
    }
    if (what === null) return null;
    const dt = ctx.lastRow?.dt;
    let cause = "the step size is too large for the curvature";
    if (dt !== undefined && ctx.lastSharpness !== undefined && ctx.lastSharpness > 0) {
      const stable = 2 / ctx.lastSharpness;
      cause = dt > stable
        ? `the last dt = ${dt} exceeds 2/λ¹ = ${stable.toPrecision(4)} (last measured sharpness ` +
          `${ctx.lastSharpness.toPrecision(4)}): reduce the step size or use the EE solver`
        : `the last dt = ${dt} was below 2/λ¹ = ${stable.toPrecision(4)} at the last ` +
          `measurement; the sharpness may have grown since (measure more often)`;
    }
    return {
      step: ctx.step,
      t: ctx.t,
      loss: point.loss,
      previousLoss: ctx.previousLoss,
      diagnosis: `training diverged at step ${ctx.step} (t = ${ctx.t}) with ${solver}: ${what}; ` +
        `previous loss ${ctx.previousLoss}. Likely cause: ${cause}.`,
    };
  };
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
