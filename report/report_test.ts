import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { dirname, join, toFileUrl } from "@std/path";
import { writeReport } from "./report.ts";
import { inspectPageInChromium } from "./browser_check.ts";
import { renderFigureSet } from "./figure_set.ts";
import { evaluateClaims } from "./claims.ts";
import { flowRun, gdRun } from "./fixtures_test_support.ts";
import type { FitRow, SweepPoint } from "./tables.ts";

// Sweep configuration "fmnist-mse" trained (alignment ×1.5 over 300 steps) but R² = 0.6 < 0.74:
// claim 4 "not reproduced" there; "mnist-mse" moved its alignment by 2%: not informative.
const points: SweepPoint[] = ["fmnist-mse", "mnist-mse"].flatMap((config) =>
  [32, 64, 128, 256, 512].flatMap((N) =>
    [0, 1, 2].map((seed) => {
      const alignment = 0.05 * N ** 0.3 + 0.01 * seed;
      const rise = config === "fmnist-mse" ? 1.5 : 1.02;
      return { config, N, seed, alignment, initialAlignment: alignment / rise, steps: 300 };
    })
  )
);
const fits: FitRow[] = ["fmnist-mse", "mnist-mse"].map((config) => ({
  config,
  over: "seeds",
  beta: 0.3,
  beta_ci_low: 0.2,
  beta_ci_high: 0.4,
  c: 0.05,
  r2: 0.6,
  points: 15,
}));

/** Renders the figures and writes a report into a fresh layout under `root`. */
async function buildReport(root: string) {
  // Showcase "xor": 2/η = 40 lies above the flow's peak (no eligible GD run: claim 1
  // inconclusive); no per-layer alignment factors, so F6-xor cannot be drawn. Showcase "fmnist":
  // GD at 2/η = 10 in EoS, claim 1 reproduced, its EE's eigen-solves partly unconverged.
  const ee = flowRun("ee", "ee", 10, 0.1, 5);
  ee.measurements = ee.measurements.map(({ alpha_1: _a, alpha_2: _b, ...rest }) => rest);
  const xor = {
    config: "showcase-xor",
    runs: [ee, flowRun("flow", "flow", 10, 0.05, 10), gdRun(0.05, 10)],
  };
  const fmnist = {
    config: "showcase-fmnist",
    runs: [
      {
        ...flowRun("ee", "ee", 30),
        eigenSolves: { count: 40, unconverged: 2, worstRelativeResidual: 0.031 },
      },
      flowRun("flow", "flow", 30, 0.01, 50),
      gdRun(0.2),
    ],
  };
  const showcases = [xor, fmnist];
  const set = await renderFigureSet(
    join(root, "artifacts", "figures"),
    { showcases, points, fits },
    {
      scale: 1,
    },
  );
  const manifest = join(root, "artifacts", "train", "n=128 seed=0", "manifest.json");
  await Deno.mkdir(dirname(manifest), { recursive: true });
  await Deno.writeTextFile(manifest, "{}");
  return await writeReport(join(root, "artifacts", "report"), {
    title: "EoS reproduction <test>",
    provenance: "profile ci",
    claims: evaluateClaims({ showcases, points, fits }),
    figures: set.figures,
    missingFigures: set.missing,
    fitTable: set.fitTable,
    deviations: ["Fashion-MNIST instead of CIFAR-10", "MSE without ½"],
    artifacts: [{ label: "T1 fit table", path: set.fitTable.markdownPath }],
    manifests: [{ label: "train n=128 seed=0", path: manifest }],
  });
}

Deno.test("writeReport: verdict matrix, a row per configuration, figures per configuration, links", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { markdownPath, htmlPath } = await buildReport(root);
    const md = await Deno.readTextFile(markdownPath);
    assertStringIncludes(md, "# EoS reproduction \\<test\\>");
    // The matrix: claims × (showcases, then sweeps); "—" where a claim does not apply.
    assertStringIncludes(
      md,
      "| claim | overall | showcase-xor | showcase-fmnist | fmnist-mse | mnist-mse |",
    );
    assertStringIncludes(
      md,
      "| [1](#claim-1) | **reproduced** | inconclusive | reproduced ⚑ | — | — |",
    );
    assertStringIncludes(
      md,
      "| [4](#claim-4) | **not reproduced** | — | — | not reproduced | inconclusive |",
    );
    assertStringIncludes(
      md,
      "**Verdict: reproduced.** holds in showcase-fmnist; inconclusive in showcase-xor",
    );
    assertStringIncludes(
      md,
      "| showcase-xor | **inconclusive** | no eligible GD run: none has 2/η ≤ 0.9 × the flow's peak",
    );
    assertStringIncludes(md, "| showcase-fmnist | **reproduced** ⚑ |");
    assertStringIncludes(
      md,
      "2 of 40 eigen-solves unconverged in 1 of 3 runs, worst relative residual 0.031",
    );
    assertStringIncludes(
      md,
      "| mnist-mse | **inconclusive** | not informative: median \\|ln(final/initial alignment)\\| 0.0198",
    );
    assertStringIncludes(md, "  - R² (per-seed fit): 0.6");
    assertStringIncludes(md, "- whole run (not judged):");
    assertStringIncludes(
      md,
      "| fmnist-mse | seeds | 0.300 | [0.200, 0.400] | 0.0500 | 0.600 | 15 |",
    );
    // Figures per showcase configuration, under the claims they bear on.
    const claim1 = md.slice(md.indexOf("## Claim 1"), md.indexOf("## Claim 2"));
    const xorPart = claim1.slice(
      claim1.indexOf("### showcase-xor"),
      claim1.indexOf("### showcase-fmnist"),
    );
    assertStringIncludes(
      xorPart,
      "![F1-xor: Training loss vs gradient-flow time](<../figures/F1-xor.png>)",
    );
    assert(!xorPart.includes("F1-fmnist"), "each configuration's figures under its own heading");
    assertStringIncludes(
      claim1.slice(claim1.indexOf("### showcase-fmnist")),
      "![F2-fmnist: Sharpness vs t",
    );
    assertStringIncludes(md, "[T1 fit table](<../figures/T1.md>)");
    assertStringIncludes(md, "[train n=128 seed=0](<../train/n=128 seed=0/manifest.json>)");
    assertStringIncludes(md, "- **F6-xor** Per-layer alignment factors along EE: F6: no data");
    assertStringIncludes(md, "- Fashion-MNIST instead of CIFAR-10");
    const html = await Deno.readTextFile(htmlPath);
    for (const forbidden of ["<script", "<link", 'src="http', "url("]) {
      assert(!html.includes(forbidden), `index.html contains ${forbidden}`);
    }
    assert(html.indexOf('id="verdict-matrix"') < html.indexOf('id="claim-1"'), "matrix on top");
    assertEquals(html.match(/<img src="data:image\/png;base64,[^"]+" width="\d+"/g)?.length, 12);
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
    assertEquals(seen.images.length, 12);
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
