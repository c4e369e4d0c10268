/**
 * Stage `report`: the verdict on each claim of SCIENCE.md §6 per showcase or sweep configuration
 * and overall, computed from the results, with the numbers beside the paper's, the figures, the
 * deviations and links to every artifact (`index.html`, self-contained; `report.md`;
 * `claims.json` for machines).
 *
 * @module
 */
import { allOf, defineStage, list, type StageContext, string, upstream } from "../pipeline/mod.ts";
import { evaluateClaims, type ReportFigure, type ReportLink, writeReport } from "../report/mod.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { readFits, readShowcases } from "./results.ts";

/** Writes the report of a profile's results. */
export const reportStage = defineStage({
  name: "report",
  module: import.meta.url,
  params: { profile: string(), provenance: string(), deviations: list(string()) },
  // Written from what finished, naming every failed instance (a report of another configuration
  // must never be what `report/latest` shows).
  partialInputs: true,
  inputs: () => ({
    figures: upstream("figures"),
    showcase: allOf("train", { kind: "showcase" }),
    sweep: allOf("train", { kind: "sweep" }),
    fits: allOf("fit"),
  }),
  // On a cluster: one core and 2G (the report is written in seconds);
  // 30 min bounds a hung job.
  resources: { cores: 1, memory: "2G", timeLimit: "0:30:00" },
  outputs: ["index.html", "report.md", "claims.json"],
  run: async (ctx) => {
    const showcases = await readShowcases(ctx.inputList("showcase"));
    const { points, fits } = await readFits(ctx.inputList("fits"));
    const claims = evaluateClaims({ showcases, points, fits });
    const figureDir = ctx.inputs.figures ? ctx.input("figures") : null;
    const figures = figureDir ? await readFigureIndex(figureDir) : [];
    const { artifacts, manifests } = inputLinks(ctx);
    const T1 = figureDir ? await readFitTable(figureDir) : undefined;
    if (figureDir) {
      artifacts.push({ label: "figures", path: figureDir });
      manifests.push({ label: "figures", path: `${figureDir}/manifest.json` });
    }
    await writeReport(ctx.outDir, {
      title: "Reproduction: Training on the Edge of Stability Is Caused by Layerwise Jacobian " +
        "Alignment (Lowell & Kastner, 2024)",
      provenance: ctx.params.provenance,
      claims,
      figures,
      fitTable: T1,
      deviations: ctx.params.deviations,
      artifacts,
      manifests,
      failures: [...ctx.failures],
    });
    await writeFileAtomic(
      ctx.output("claims.json"),
      new TextEncoder().encode(JSON.stringify(claims, null, 2) + "\n"),
    );
    for (const c of claims) {
      ctx.log(`claim ${c.id}: ${c.verdict} — ${c.reason}`);
      for (const r of c.configurations) ctx.log(`  ${r.config}: ${r.verdict} — ${r.reason}`);
    }
    ctx.record({
      profile: ctx.params.profile,
      verdicts: claims.map((c) => ({
        claim: c.id,
        verdict: c.verdict,
        configurations: Object.fromEntries(c.configurations.map((r) => [r.config, r.verdict])),
      })),
      failed: ctx.failures.map((f) => f.id),
    });
  },
});

/** The figures stage's index, with each file's path made absolute. */
async function readFigureIndex(figureDir: string): Promise<ReportFigure[]> {
  const index: ReportFigure[] = JSON.parse(await Deno.readTextFile(`${figureDir}/figures.json`));
  return index.map((f) => ({
    ...f,
    pngPath: `${figureDir}/${f.pngPath}`,
    svgPath: `${figureDir}/${f.svgPath}`,
    vlPath: `${figureDir}/${f.vlPath}`,
  }));
}

/** The fit table T1, as the figures stage wrote it. */
async function readFitTable(figureDir: string): Promise<{ markdown: string; html: string }> {
  return {
    markdown: await Deno.readTextFile(`${figureDir}/T1.md`),
    html: await Deno.readTextFile(`${figureDir}/T1.html`),
  };
}

/** A link to each input artifact (train runs and fits, once each) and to its manifest. */
function inputLinks(
  ctx: StageContext<unknown>,
): { artifacts: ReportLink[]; manifests: ReportLink[] } {
  const artifacts: ReportLink[] = [], manifests: ReportLink[] = [];
  const seen = new Set<string>();
  for (const name of ["showcase", "sweep", "fits"]) {
    for (const a of ctx.inputList(name)) {
      if (seen.has(a.path)) continue;
      seen.add(a.path);
      const label = `${a.stage} ${JSON.stringify(a.params.config)} ${a.params.run ?? ""} ` +
        (a.params.n !== undefined ? `N=${a.params.n} seed=${a.params.seed}` : "");
      artifacts.push({ label: label.trim(), path: a.path });
      manifests.push({ label: label.trim(), path: `${a.path}/manifest.json` });
    }
  }
  return { artifacts, manifests };
}
