/**
 * A run's account of its eigen-solves: how many there were, how many stopped at their iteration
 * cap without converging, and the worst relative residual ‖Av − θv‖ / max|θ| among the pairs they
 * returned, per kind of solve (a solver's step, the sharpness measurement, the Gauss–Newton
 * split) and in all. A curvature number that rests on an unconverged solve is then visible in the
 * run's summary instead of passing silently.
 *
 * @module
 */
import type { EigenResult } from "./lanczos.ts";

/** What one solve contributes: whether it converged, and its largest ‖r‖ / max|θ|. */
export interface SolveOutcome {
  converged: boolean;
  relativeResidual: number;
}

/** Counts over a set of solves, as a run's `summary.json` gives them (`eigenSolves`). */
export interface EigenSolveCounts {
  count: number;
  unconverged: number;
  /** The largest ‖r‖ / max|θ| of any returned pair; 0 when there were no solves. */
  worstRelativeResidual: number;
}

/** The outcome of a Lanczos solve. */
export function solveOutcome(result: EigenResult): SolveOutcome {
  const worst = Math.max(0, ...result.residuals);
  return {
    converged: result.converged,
    relativeResidual: result.scale > 0 ? worst / result.scale : 0,
  };
}

/** Solve counts per kind; its state is plain JSON, so a checkpoint keeps it. */
export class EigenSolveLog {
  #kinds: Record<string, EigenSolveCounts>;

  constructor(state: Record<string, EigenSolveCounts> = {}) {
    this.#kinds = structuredClone(state);
  }

  /** Counts one solve of the given kind (a result, or the outcome a step report carries). */
  record(kind: string, solve: EigenResult | SolveOutcome): void {
    const outcome = "relativeResidual" in solve ? solve : solveOutcome(solve);
    const c = this.#kinds[kind] ??= { count: 0, unconverged: 0, worstRelativeResidual: 0 };
    c.count++;
    if (!outcome.converged) c.unconverged++;
    c.worstRelativeResidual = Math.max(c.worstRelativeResidual, outcome.relativeResidual);
  }

  /** The counts of every kind, by kind (a copy: the state a checkpoint saves). */
  byKind(): Record<string, EigenSolveCounts> {
    return structuredClone(this.#kinds);
  }

  /** The counts over every kind. */
  total(): EigenSolveCounts {
    const all = Object.values(this.#kinds);
    return {
      count: all.reduce((s, c) => s + c.count, 0),
      unconverged: all.reduce((s, c) => s + c.unconverged, 0),
      worstRelativeResidual: Math.max(0, ...all.map((c) => c.worstRelativeResidual)),
    };
  }

  /** One line per kind that had unconverged solves, for the run's log. */
  warnings(): string[] {
    return Object.entries(this.#kinds).filter(([, c]) => c.unconverged > 0).map(([kind, c]) =>
      `${c.unconverged} of ${c.count} ${kind} eigen-solves stopped at their iteration cap ` +
      `unconverged (worst relative residual ${c.worstRelativeResidual.toExponential(2)})`
    );
  }
}
