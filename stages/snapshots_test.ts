/**
 * The `ci` and `quick` profiles take θ snapshots in every run whose size is known before it
 * starts (GD's step count follows from its reference EE run, so its bound is known only then).
 */
import { assert } from "@std/assert";
import { pipeline } from "./mod.ts";
import { snapshotBound } from "../science/training/training_run.ts";

/** Input width of the profiles' datasets: XOR's 2 coordinates, or 28×28 pooled k×k. */
function inputWidth(dataset: string, pool: number): number {
  return dataset === "xor" ? 2 : (28 / pool) ** 2;
}

Deno.test("every non-GD train run of the ci and quick profiles fits its snapshot limit", async () => {
  for (const profile of ["ci", "quick"]) {
    const runs = (await pipeline({ profile, extra: {} })).filter((i) =>
      i.definition.name === "train" && i.params.solver !== "gd"
    );
    assert(runs.length > 0);
    for (const { id, params: p } of runs) {
      const sizes = [
        inputWidth(p.dataset as string, p.pool as number),
        ...(p.hidden as number[]),
        (p.classes as number[]).length,
      ];
      const bound = snapshotBound(
        { sizes, activation: "elu" },
        p.maxSteps as number,
        p.measureEvery as number,
      );
      const limit = (p.snapshotLimitMB as number) * 2 ** 20;
      assert(bound <= limit, `${profile} ${id}: ${bound} B of snapshots > ${limit} B`);
    }
  }
});
