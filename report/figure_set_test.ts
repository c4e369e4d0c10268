import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { renderFigureSet } from "./figure_set.ts";
import { flowRun, gdRun } from "./fixtures_test_support.ts";
import type { FitRow, SweepPoint } from "./tables.ts";

const points: SweepPoint[] = [64, 128, 256].map((N, seed) => ({
  config: "c",
  N,
  seed,
  alignment: N ** 0.2,
}));
const fits: FitRow[] = [
  {
    config: "c",
    over: "seeds",
    beta: 0.2,
    beta_ci_low: 0.1,
    beta_ci_high: 0.3,
    c: 1,
    r2: 1,
    points: 3,
  },
];

Deno.test("renderFigureSet draws F1–F7 with their claims and writes T1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const runs = [flowRun("ee", "ee", 5, 0.1, 5), gdRun(0.2, 5)];
    const set = await renderFigureSet(dir, { runs, points, fits }, { scale: 1 });
    assertEquals(set.figures.map((f) => [f.id, f.claims]), [
      ["F1", [1]],
      ["F2", [1]],
      ["F3", [2]],
      ["F4", [2]],
      ["F5", [3]],
      ["F6", [3]],
      ["F7", [4]],
    ]);
    assertEquals(set.missing, []);
    assertEquals(set.written.every((w) => w.renderMs > 0 && w.warnings.length === 0), true);
    assertEquals(await Deno.readTextFile(join(dir, "T1.md")), set.fitTable.markdown);
    assertEquals((await Deno.stat(join(dir, "F7.png"))).isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderFigureSet lists figures it cannot draw; an unknown eeRun is an error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const set = await renderFigureSet(dir, { runs: [gdRun(0.2, 5)], points: [], fits: [] }, {
      scale: 1,
    });
    assertEquals(set.figures.map((f) => f.id), ["F1", "F2"]);
    assertEquals(set.missing.map((m) => [m.id, m.reason]), [
      ["F3", "no EE run"],
      ["F4", "no EE run"],
      ["F5", "no EE run"],
      ["F6", "no EE run"],
      ["F7", "F7: no data (no power-law points)"],
    ]);
    await assertRejects(
      () => renderFigureSet(dir, { runs: [], eeRun: "x", points: [], fits: [] }),
      Error,
      'eeRun: no run is named "x"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
