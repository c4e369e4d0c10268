import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  alignmentFactorsFigure,
  curvatureFigure,
  decimateMinMax,
  layerAlignmentFigure,
  layerBlocksFigure,
  lossFigure,
  sharpnessFigure,
} from "./figures.ts";
import { fitLabel, powerLawFigure } from "./figure_power_law.ts";
import { flowRun, gdRun } from "./fixtures_test_support.ts";
import { renderSpec } from "./render.ts";
import { readPngHeader } from "./png_test_support.ts";
import type { FitRow, SweepPoint } from "./tables.ts";

// The specs are plain JSON; read them through this loose view.
// deno-lint-ignore no-explicit-any
type Json = any;
const ee = () => flowRun("ee", "ee", 10, 0.1, 5);
const runs = () => [ee(), flowRun("flow", "flow", 10, 0.05, 10), gdRun(0.2, 10), gdRun(0.15, 10)];
const seriesOf = (values: Json[]) => [...new Set(values.map((v) => v.series))];

Deno.test("decimateMinMax keeps each bucket's extremes in order and the global envelope", () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ i, loss: (i % 2 ? 1 : -1) * (1 + i) }));
  const kept = decimateMinMax(rows, "loss", 100);
  assertEquals(kept.length, 100);
  assert(kept.every((r, k) => k === 0 || r.i > kept[k - 1].i), "original order");
  // Buckets of 200 rows: min is the last even row (−(1+i)), max the last odd row.
  assertEquals(kept.slice(0, 2).map((r) => r.i), [198, 199]);
  assertEquals(Math.min(...kept.map((r) => r.loss)), -9999);
  assertEquals(Math.max(...kept.map((r) => r.loss)), 10000);
  assertEquals(decimateMinMax(rows.slice(0, 5), "loss", 100).length, 5);
  assertThrows(() => decimateMinMax(rows, "loss", 1), Error, "maxPointsPerRun");
});

Deno.test("F1 has every run's losses under its legend label", () => {
  const spec: Json = lossFigure(runs());
  const values: Json[] = spec.data.values;
  assertEquals(seriesOf(values), ["EE", "gradient flow", "GD η=0.2", "GD η=0.15"]);
  assertEquals(values.filter((v) => v.series === "EE").length, 101);
  assertEquals(values.find((v) => v.series === "EE" && v.t === 0).value, 1);
  assertEquals(spec.encoding.color.sort, ["EE", "gradient flow", "GD η=0.2", "GD η=0.15"]);
  const thinned: Json = lossFigure(runs(), { maxPointsPerRun: 10 });
  assert(thinned.data.values.filter((v: Json) => v.series === "EE").length <= 10);
});

Deno.test("F2 draws a dashed rule at exactly 2/η per GD run in the run's colour", () => {
  const spec: Json = sharpnessFigure(runs());
  const layer = (type: string) => spec.layer.find((l: Json) => l.mark.type === type);
  const lines = layer("line"), rules = layer("rule");
  assertEquals(rules.data.values, [
    { series: "GD η=0.2", threshold: 10 },
    { series: "GD η=0.15", threshold: 2 / 0.15 },
  ]);
  assertEquals(rules.mark.type, "rule");
  assert(rules.mark.strokeDash.length === 2);
  assertEquals(rules.encoding.color, lines.encoding.color);
  assertEquals((sharpnessFigure([ee()]) as Json).layer.length, 1);
});

Deno.test("F2 shades each eligible GD run's EoS window, from its crossing to the flow's last time above", () => {
  // Flow to t = 30 (peak S(30) ≈ 19.96): 2/η = 10 is eligible; its window opens at GD's first
  // sharpness ≥ 9 (t = 2.6, measured every 0.2) and closes at the flow's end (still above 11).
  const r = [flowRun("flow", "flow", 30, 0.01, 50), flowRun("ee", "ee", 30), gdRun(0.2)];
  const spec: Json = sharpnessFigure(r, { subtitle: "showcase-xor" });
  const [shade, lines] = spec.layer;
  assertEquals(shade.mark.type, "rect");
  assertEquals(shade.data.values.length, 1);
  assertEquals(shade.data.values[0].series, "GD η=0.2");
  assertAlmostEquals(shade.data.values[0].t0, 2.6, 1e-12);
  assertEquals(shade.data.values[0].t1, 30);
  assertEquals(shade.encoding.color.field, lines.encoding.color.field);
  assertEquals(spec.title.subtitle, "showcase-xor");
});

Deno.test("labels round step sizes to 3 significant digits", () => {
  const gd = { ...gdRun(0.2, 1), eta: 0.05279283770342541 };
  const spec: Json = lossFigure([gd]);
  assertEquals(spec.data.values[0].series, "GD η=0.0528");
});

Deno.test("F3–F6 fold the measurement columns into labelled series; F4, F5 are log scale", () => {
  const run = ee();
  const f3: Json = curvatureFigure(run);
  assertEquals(seriesOf(f3.data.values), [
    "λ¹(ℋ) sharpness",
    "λ¹(G) Gauss–Newton",
    "λ¹(H) functional Hessian",
  ]);
  assertEquals(f3.data.values.length, 3 * run.measurements.length);
  const f4: Json = layerBlocksFigure(run);
  assertEquals(f4.encoding.y.scale.type, "log");
  assertEquals(seriesOf(f4.data.values), [
    "λ¹(G)",
    "λ¹(G¹¹) layer 1",
    "λ¹(G²²) layer 2",
    "λ¹(G³³) layer 3",
  ]);
  const m1 = run.measurements[1];
  const layer1 = f4.data.values.find((v: Json) => v.series === "λ¹(G¹¹) layer 1" && v.t === m1.t);
  assertEquals(layer1.value, m1.lambda_G_layer_1);
  const f5: Json = alignmentFactorsFigure(run);
  assertEquals(f5.encoding.y.scale.type, "log");
  assertEquals(seriesOf(f5.data.values).length, 3);
  const f6: Json = layerAlignmentFigure(run);
  assertEquals(seriesOf(f6.data.values), ["α₁", "α₂"]);
  assertThrows(() => layerAlignmentFigure(gdRun(0.2)), Error, "F6: no data (no alpha_n values)");
  assertThrows(() => curvatureFigure({ ...run, measurements: [] }), Error, "F3: no data");
});

const points: SweepPoint[] = ["a", "b"].flatMap((config) =>
  [100, 1000].flatMap((N) => [0, 1].map((seed) => ({ config, N, seed, alignment: 0.1 + seed })))
);
const fits: FitRow[] = [
  {
    config: "a",
    over: "seeds",
    beta: 0.5,
    beta_ci_low: 0.4,
    beta_ci_high: 0.6,
    c: 2,
    r2: 0.81,
    points: 4,
  },
  {
    config: "b",
    over: "means",
    beta: -0.25,
    beta_ci_low: -1,
    beta_ci_high: 0,
    c: 3,
    r2: 0.5,
    points: 2,
  },
];

Deno.test("F7: log-log facets, per-N means, fitted lines c·N^β, β and R² in the legend", () => {
  const spec: Json = powerLawFigure(points, fits);
  assertEquals(spec.facet.field, "panel");
  assertEquals(spec.columns, 2);
  const [line, seeds, means] = spec.spec.layer;
  assertEquals([line.encoding.x.scale.type, line.encoding.y.scale.type], ["log", "log"]);
  assertEquals(seeds.transform[0].filter, "datum.kind === 'seed'");
  const values: Json[] = spec.data.values;
  const meanA = values.filter((v) => v.kind === "mean" && v.config === "a");
  // The mean over seeds of 0.1 and 1.1, as the fit over per-N means takes it (SCIENCE.md §5).
  assertAlmostEquals(meanA[0].alignment, 0.6, 1e-15);
  const fitA = values.filter((v) => v.kind === "fit" && v.config === "a");
  assertEquals(fitA.map((v) => [v.N, v.alignment]), [[100, 2 * 100 ** 0.5], [
    1000,
    2 * 1000 ** 0.5,
  ]]);
  assertEquals(fitLabel(fits[0]), "a: fit over seeds, β = 0.500, R² = 0.810");
  assertEquals(means.encoding.color.scale.domain.slice(2), [
    "a: fit over seeds, β = 0.500, R² = 0.810",
    "b: fit over means, β = -0.250, R² = 0.500",
  ]);
  assertEquals(spec.facet.sort, ["a", "b"]);
  assertThrows(() => powerLawFigure([{ ...points[0], N: 0 }], fits), Error, "points[0].N");
  assertThrows(() => powerLawFigure(points, [{ ...fits[0], over: "x" as never }]), Error, "over");
});

Deno.test("F7 marks a configuration whose runs did not train as not informative", () => {
  // Config "a" moved its alignment by 5% in 300 steps (not informative); "b" by 50% in 300.
  const tagged = points.map((p) => ({
    ...p,
    initialAlignment: p.alignment / (p.config === "a" ? 1.05 : 1.5),
    steps: 300,
  }));
  const spec: Json = powerLawFigure(tagged, fits);
  const a = "a: NOT INFORMATIVE\n(median |ln(final/initial)| 0.04879, median steps 300)";
  assertEquals(spec.facet.sort, [a, "b"]);
  assertEquals(
    new Set(spec.data.values.filter((v: Json) => v.config === "a").map((v: Json) => v.panel)),
    new Set([a]),
  );
});

Deno.test("every figure compiles and renders to a non-empty PNG", async () => {
  const r = runs();
  const specs = [
    lossFigure(r),
    sharpnessFigure(r),
    curvatureFigure(r[0]),
    layerBlocksFigure(r[0]),
    alignmentFactorsFigure(r[0]),
    layerAlignmentFigure(r[0]),
    powerLawFigure(points, fits),
  ];
  for (const spec of specs) {
    const fig = await renderSpec(spec, { scale: 1 });
    assertEquals(fig.warnings, [], JSON.stringify(spec.title));
    const h = readPngHeader(fig.png);
    assert(h.width > 300 && h.height > 200, `${h.width}×${h.height}`);
  }
});
