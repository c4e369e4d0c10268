import { assertEquals } from "@std/assert";
import type { InputArtifact } from "../pipeline/mod.ts";
import { initialAlignment, readShowcases } from "./results.ts";

/** A train artifact folder written by hand: two steps, one measurement row of each kind. */
async function artifact(
  root: string,
  params: Record<string, unknown>,
  eigenSolves?: unknown,
): Promise<InputArtifact> {
  const path = `${root}/${params.config}-${params.run}`;
  await Deno.mkdir(path);
  const summary = {
    eta: params.solver === "gd" ? 0.5 : null,
    ...(eigenSolves ? { eigenSolves } : {}),
  };
  await Deno.writeTextFile(`${path}/summary.json`, JSON.stringify(summary));
  await Deno.writeTextFile(`${path}/trajectory.csv`, "step,t,loss\n0,0,1\n1,0.5,0.9\n");
  // A sharpness-only row first (its align_mean empty), then a full one.
  await Deno.writeTextFile(
    `${path}/measurements.csv`,
    "step,t,sharpness,align_mean\n0,0,3,\n1,0.5,3.5,0.25\n",
  );
  return { stage: "train", params, path };
}

Deno.test("readShowcases groups runs by configuration and reads their eigen-solve records", async () => {
  const root = await Deno.makeTempDir();
  try {
    const record = { count: 12, unconverged: 1, worstRelativeResidual: 0.02 };
    const arts = [
      await artifact(root, { config: "showcase-a", run: "ee", solver: "ee" }, record),
      await artifact(root, { config: "showcase-b", run: "ee", solver: "ee" }),
      await artifact(root, { config: "showcase-a", run: "gd-0.5", solver: "gd" }),
    ];
    const showcases = await readShowcases(arts);
    assertEquals(showcases.map((s) => [s.config, s.runs.map((r) => r.run)]), [
      ["showcase-a", ["ee", "gd-0.5"]],
      ["showcase-b", ["ee"]],
    ]);
    assertEquals(showcases[0].runs[0].eigenSolves, record);
    assertEquals(showcases[1].runs[0].eigenSolves, undefined); // older artifact: not recorded
    assertEquals(showcases[0].runs[1].eta, 0.5);
    // The initial alignment is the first measurement that has one.
    assertEquals(await initialAlignment(arts[0]), 0.25);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
