import { assertEquals, assertStringIncludes } from "@std/assert";
import { writeReport } from "./report.ts";
import { evaluateClaims } from "./claims.ts";

Deno.test("a report of an incomplete run names each failure and what was not run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const failures = [
      { id: "train[run=gd-0.6]", outcome: "failed" as const, reason: "loss <NaN> at step 3" },
      { id: "fit[config=a]", outcome: "skipped" as const, reason: "upstream failed: train[…]" },
      { id: "figures", outcome: "skipped" as const, reason: "upstream failed: fit[config=a]" },
    ];
    // No runs, points or fits: every claim is inconclusive, and the report is still written.
    const { htmlPath, markdownPath } = await writeReport(dir, {
      claims: evaluateClaims({ showcases: [], points: [], fits: [] }),
      figures: [],
      deviations: [],
      artifacts: [],
      manifests: [],
      failures,
    });
    const html = await Deno.readTextFile(htmlPath);
    assertStringIncludes(html, `<section id="failures"><h2>Incomplete run: 1 failed, 2 not run`);
    assertStringIncludes(html, "<li><b>train[run=gd-0.6]</b> failed: loss &#60;NaN&#62; at step 3");
    assertStringIncludes(html, "Not run because of these failures: fit[config=a], figures.");
    const md = await Deno.readTextFile(markdownPath);
    assertStringIncludes(md, "## Incomplete run: 1 failed, 2 not run");
    assertStringIncludes(md, "- **train\\[run=gd-0.6\\]** failed: loss \\<NaN\\> at step 3");
    // Listed before the claims, since it qualifies all of them.
    assertEquals(html.indexOf(`id="failures"`) < html.indexOf(`id="claim-1"`), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
