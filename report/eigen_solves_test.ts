import { assertEquals } from "@std/assert";
import { asEigenSolveRecord, eigenSolveFlag } from "./eigen_solves.ts";

Deno.test("eigenSolveFlag: counts, worst residual and runs not recorded, by hand", () => {
  const flag = eigenSolveFlag([
    { count: 10, unconverged: 0, worstRelativeResidual: 1e-4 },
    { count: 20, unconverged: 3, worstRelativeResidual: 2e-2 },
    undefined,
  ]);
  assertEquals(flag, {
    status: "flagged",
    runs: 3,
    recorded: 2,
    runsFlagged: 1,
    unconverged: 3,
    solves: 30,
    worstRelativeResidual: 0.02,
    note: "3 of 30 eigen-solves unconverged in 1 of 3 runs, worst relative residual 0.02 " +
      "(not recorded for 1 of 3 runs)",
  });
  const ok = eigenSolveFlag([{ count: 5, unconverged: 0, worstRelativeResidual: 3e-4 }]);
  assertEquals([ok.status, ok.note], [
    "ok",
    "5 eigen-solves, all converged (worst relative residual 0.0003)",
  ]);
  assertEquals(eigenSolveFlag([undefined, undefined]).note, "eigen-solves not recorded");
  assertEquals(eigenSolveFlag([]).status, "not recorded");
});

Deno.test("asEigenSolveRecord accepts exactly the summary's shape", () => {
  const r = { count: 4, unconverged: 1, worstRelativeResidual: 0.5 };
  assertEquals(asEigenSolveRecord(r), r);
  assertEquals(asEigenSolveRecord({ ...r, extra: "kept out" }), r);
  for (
    const bad of [undefined, null, 3, { count: 4, unconverged: 1 }, { ...r, count: -1 }, {
      ...r,
      worstRelativeResidual: NaN,
    }]
  ) {
    assertEquals(asEigenSolveRecord(bad), undefined, JSON.stringify(bad));
  }
});
