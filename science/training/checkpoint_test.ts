import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { Rng } from "../../util/rng.ts";

const vectors = (rows: number, length: number, seed: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Float64Array.from({ length }, () => rng.normal()));
};

function checkpoint(step: number) {
  return {
    fingerprint: "run-a",
    step,
    t: 0.1 * step,
    theta: Float32Array.from({ length: 7 }, (_, i) => i / 3),
    vectors: {
      solver: vectors(3, 5, 1),
      "solver.previous": vectors(3, 5, 2),
      sharpness: vectors(1, 5, 3),
      "hook0.lambda_G_layer_1": vectors(1, 4, 4),
    },
    rngState: new Rng(4).state(),
    previousLoss: 0.5,
    trajectory: [{ step, loss: 0.25 }],
    measurements: [],
    warnings: ["a warning"],
    eigenSolves: { ee: { count: step, unconverged: 1, worstRelativeResidual: 2.5e-3 } },
    snapshots: [Float32Array.of(0.5, -1, step), Float32Array.of(1 / 3, 2, 3)],
  };
}

Deno.test("checkpoint: a written checkpoint reads back exactly, with every named vector set", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeCheckpoint(dir, checkpoint(5));
    await writeCheckpoint(dir, checkpoint(10));
    assertEquals(await readCheckpoint(dir, "run-a"), checkpoint(10));
    // The older checkpoint's arrays are gone; the index and the newest six files remain.
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names.sort(), [
      "checkpoint.json",
      "snapshots-10.npy",
      "theta-10.npy",
      "vectors-hook0.lambda_G_layer_1-10.npy",
      "vectors-sharpness-10.npy",
      "vectors-solver-10.npy",
      "vectors-solver.previous-10.npy",
    ]);
    // Empty sets (a solver without a previous basis: the first step, or no extrapolation) and
    // no sets at all round-trip too.
    const first = { ...checkpoint(1), vectors: { solver: [], "solver.previous": [] } };
    await writeCheckpoint(dir, first);
    assertEquals((await readCheckpoint(dir, "run-a"))!.vectors, first.vectors);
    await writeCheckpoint(dir, { ...checkpoint(2), vectors: {}, snapshots: [] });
    assertEquals((await readCheckpoint(dir, "run-a"))!.vectors, {});
    assertEquals((await readCheckpoint(dir, "run-a"))!.snapshots, []);
    await assertRejects(
      () => writeCheckpoint(dir, { ...checkpoint(3), vectors: { "../x": [] } }),
      Error,
      'vector set name "../x"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoint: none, another run's, or an older format's is said so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(await readCheckpoint(dir, "run-a"), null);
    await writeCheckpoint(dir, checkpoint(5));
    await assertRejects(() => readCheckpoint(dir, "run-b"), Error, "different run configuration");
    const index = JSON.parse(await Deno.readTextFile(join(dir, "checkpoint.json")));
    await Deno.writeTextFile(
      join(dir, "checkpoint.json"),
      JSON.stringify({ ...index, format: "eos-training-checkpoint/1" }),
    );
    await assertRejects(
      () => readCheckpoint(dir, "run-a"),
      Error,
      "format eos-training-checkpoint/1 is not eos-training-checkpoint/5, the one this version " +
        "reads; remove the folder to start the run afresh",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
