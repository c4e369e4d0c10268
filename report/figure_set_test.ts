import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { figureIds, renderFigureSet } from "./figure_set.ts";
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

Deno.test("renderFigureSet draws F1–F6 per showcase configuration, F7 once, and writes T1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = { config: "showcase-a", runs: [flowRun("ee", "ee", 5, 0.1, 5), gdRun(0.2, 5)] };
    const b = { config: "showcase-b", runs: [flowRun("ee", "ee", 4, 0.1, 5)] };
    const set = await renderFigureSet(dir, { showcases: [a, b], points, fits }, { scale: 1 });
    const drawn = set.figures.map((f) => [f.id, f.claims, f.config ?? null]);
    assertEquals(drawn, [
      ["F1-a", [1], "showcase-a"],
      ["F2-a", [1], "showcase-a"],
      ["F3-a", [2], "showcase-a"],
      ["F4-a", [2], "showcase-a"],
      ["F5-a", [3], "showcase-a"],
      ["F6-a", [3], "showcase-a"],
      ["F1-b", [1], "showcase-b"],
      ["F2-b", [1], "showcase-b"],
      ["F3-b", [2], "showcase-b"],
      ["F4-b", [2], "showcase-b"],
      ["F5-b", [3], "showcase-b"],
      ["F6-b", [3], "showcase-b"],
      ["F7", [4], null],
    ]);
    assertEquals(set.figures.map((f) => f.id), figureIds(["showcase-a", "showcase-b"]));
    assertEquals(set.missing, []);
    assertEquals(set.written.every((w) => w.renderMs > 0 && w.warnings.length === 0), true);
    assertEquals(await Deno.readTextFile(join(dir, "T1.md")), set.fitTable.markdown);
    for (const id of ["F1-b", "F7"]) {
      assertEquals((await Deno.stat(join(dir, `${id}.png`))).isFile, true);
    }
    // Each showcase's figures show its own runs only, and say which configuration they belong to.
    const f1b = JSON.parse(await Deno.readTextFile(join(dir, "F1-b.vl.json")));
    assertEquals(f1b.title.subtitle, "showcase-b");
    assertEquals([...new Set(f1b.data.values.map((v: { series: string }) => v.series))], ["EE"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderFigureSet lists figures it cannot draw; duplicate showcases are an error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const only = { config: "showcase-gd", runs: [gdRun(0.2, 5)] };
    const set = await renderFigureSet(dir, { showcases: [only], points: [], fits: [] }, {
      scale: 1,
    });
    assertEquals(set.figures.map((f) => f.id), ["F1-gd", "F2-gd"]);
    assertEquals(set.missing.map((m) => [m.id, m.reason]), [
      ["F3-gd", "no EE run"],
      ["F4-gd", "no EE run"],
      ["F5-gd", "no EE run"],
      ["F6-gd", "no EE run"],
      ["F7", "F7: no data (no power-law points)"],
    ]);
    await assertRejects(
      () => renderFigureSet(dir, { showcases: [only, only], points: [], fits: [] }),
      Error,
      'showcases[1].config: "showcase-gd" is not unique',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
