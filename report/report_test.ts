import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { dirname, join, toFileUrl } from "@std/path";
import { writeReport } from "./report.ts";
import { inspectPageInChromium } from "./browser_check.ts";
import { renderFigureSet } from "./figure_set.ts";
import { evaluateClaims } from "./claims.ts";
import { flowRun, gdRun } from "./fixtures_test_support.ts";
import type { FitRow, SweepPoint } from "./tables.ts";

const points: SweepPoint[] = [64, 128, 256].flatMap((N) =>
  [0, 1].map((seed) => ({
    config: "fmnist-mse",
    N,
    seed,
    alignment: 0.05 * N ** 0.3 + 0.01 * seed,
  }))
);
const fits: FitRow[] = [{
  config: "fmnist-mse",
  over: "seeds",
  beta: 0.3,
  beta_ci_low: 0.2,
  beta_ci_high: 0.4,
  c: 0.05,
  r2: 0.6, // below the paper's 0.74: claim 4 must read "not reproduced"
  points: 6,
}];

/** Renders the figures and writes a report into a fresh layout under `root`. */
async function buildReport(root: string) {
  const ee = flowRun("ee", "ee", 10, 0.1, 5);
  // No per-layer alignment factors: F6 cannot be drawn and must be listed as such.
  ee.measurements = ee.measurements.map(({ alpha_1: _a, alpha_2: _b, ...rest }) => rest);
  const runs = [ee, flowRun("flow", "flow", 10, 0.05, 10), gdRun(0.05, 10)]; // 2/η = 40 > peak
  const set = await renderFigureSet(join(root, "artifacts", "figures"), { runs, points, fits }, {
    scale: 1,
  });
  const manifest = join(root, "artifacts", "train", "n=128 seed=0", "manifest.json");
  await Deno.mkdir(dirname(manifest), { recursive: true });
  await Deno.writeTextFile(manifest, "{}");
  return await writeReport(join(root, "artifacts", "report"), {
    title: "EoS reproduction <test>",
    provenance: "profile ci",
    claims: evaluateClaims({ runs, points, fits }),
    figures: set.figures,
    missingFigures: set.missing,
    fitTable: set.fitTable,
    deviations: ["Fashion-MNIST instead of CIFAR-10", "MSE without ½"],
    artifacts: [{ label: "T1 fit table", path: set.fitTable.markdownPath }],
    manifests: [{ label: "train n=128 seed=0", path: manifest }],
  });
}

Deno.test("writeReport: verdicts, numbers, T1, deviations and relative links in report.md", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { markdownPath, htmlPath } = await buildReport(root);
    const md = await Deno.readTextFile(markdownPath);
    assertStringIncludes(md, "# EoS reproduction \\<test\\>");
    assertStringIncludes(md, "**Verdict: inconclusive.** no GD run has 2/η below");
    assertStringIncludes(md, "**Verdict: reproduced.**");
    assertStringIncludes(md, "**Verdict: not reproduced.** fmnist-mse (over seeds)");
    assertStringIncludes(md, "| fmnist-mse: R² (over seeds) | 0.6 |");
    assertStringIncludes(
      md,
      "| fmnist-mse | seeds | 0.300 | [0.200, 0.400] | 0.0500 | 0.600 | 6 |",
    );
    assertStringIncludes(md, "![F1: Training loss vs gradient-flow time](<../figures/F1.png>)");
    assertStringIncludes(md, "[T1 fit table](<../figures/T1.md>)");
    assertStringIncludes(md, "[train n=128 seed=0](<../train/n=128 seed=0/manifest.json>)");
    assertStringIncludes(md, "- **F6** Per-layer alignment factors along EE: F6: no data");
    assertStringIncludes(md, "- Fashion-MNIST instead of CIFAR-10");
    const html = await Deno.readTextFile(htmlPath);
    for (const forbidden of ["<script", "<link", 'src="http', "url("]) {
      assert(!html.includes(forbidden), `index.html contains ${forbidden}`);
    }
    assertEquals(html.match(/<img src="data:image\/png;base64,[^"]+" width="\d+"/g)?.length, 6);
    // Every relative link in the HTML resolves to a file.
    for (const [, target] of html.matchAll(/href="([^"#][^"]*)"/g)) {
      const path = new URL(target.replaceAll("&#38;", "&"), toFileUrl(htmlPath)).pathname;
      await Deno.stat(decodeURIComponent(path));
    }
    await assertRejects(
      () =>
        writeReport(root, {
          claims: [],
          figures: [{ id: "a b", title: "", claims: [], pngPath: "x" }],
          deviations: [],
          artifacts: [],
          manifests: [],
        }),
      Error,
      'figures[0].id: "a b"',
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("index.html in headless Chromium: no errors, nothing fetched, every figure displayed", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { htmlPath } = await buildReport(root);
    const seen = await inspectPageInChromium(htmlPath);
    assertEquals(seen.errors, []);
    assertEquals(seen.requests.filter((u) => !u.startsWith("data:")), [toFileUrl(htmlPath).href]);
    assertEquals(seen.images.length, 6);
    for (const img of seen.images) {
      assert(img.naturalWidth > 300 && img.naturalHeight > 200, `${img.alt} decoded`);
      assert(
        img.width > 100 && img.height > 50,
        `${img.alt} laid out at ${img.width}×${img.height}`,
      );
      // The box includes the 1px border on each side.
      assert(img.width <= img.naturalWidth + 2, `${img.alt} is not shown larger than drawn`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
