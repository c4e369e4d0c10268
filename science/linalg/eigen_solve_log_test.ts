import { assertEquals } from "@std/assert";
import { EigenSolveLog, solveOutcome } from "./eigen_solve_log.ts";
import type { EigenResult } from "./lanczos.ts";

function result(residuals: number[], scale: number, converged: boolean): EigenResult {
  const values = residuals.map(() => scale);
  return { values, vectors: [], residuals, scale, applications: 3, iterations: 1, converged };
}

Deno.test("EigenSolveLog counts solves and unconverged ones per kind, and the worst ‖r‖/max|θ|", () => {
  const log = new EigenSolveLog();
  log.record("ee", result([0.01, 0.02], 100, true)); // 2e-4
  log.record("ee", result([0.5, 0.1], 100, false)); // 5e-3, unconverged
  log.record("sharpness", result([0.0025], 10, true)); // 2.5e-4
  log.record("ee", { converged: true, relativeResidual: 1e-3 });
  assertEquals(log.byKind(), {
    ee: { count: 3, unconverged: 1, worstRelativeResidual: 5e-3 },
    sharpness: { count: 1, unconverged: 0, worstRelativeResidual: 2.5e-4 },
  });
  assertEquals(log.total(), { count: 4, unconverged: 1, worstRelativeResidual: 5e-3 });
  // One warning per kind with unconverged solves, with the count.
  assertEquals(log.warnings(), [
    "1 of 3 ee eigen-solves stopped at their iteration cap unconverged " +
    "(worst relative residual 5.00e-3)",
  ]);
  // The state a checkpoint keeps restores the same counts, and is a copy.
  const state = log.byKind();
  const restored = new EigenSolveLog(state);
  state.ee.count = 99;
  assertEquals(restored.byKind(), log.byKind());
  assertEquals(new EigenSolveLog().total(), { count: 0, unconverged: 0, worstRelativeResidual: 0 });
  assertEquals(solveOutcome(result([2, 1], 4, false)), { converged: false, relativeResidual: 0.5 });
});
