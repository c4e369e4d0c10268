/**
 * Writes the reproduction report: `index.html` (self-contained: figures embedded as PNG data URIs,
 * inline CSS, no scripts, and a Content-Security-Policy that forbids loading anything else) and
 * `report.md` (figures and artifacts linked by relative paths). At the top, the verdict matrix
 * (claim × configuration); per claim, its overall verdict, the criterion, a row per configuration
 * with its verdict, reason and numbers beside the paper's (report_claims.ts), and the figures that
 * bear on it, grouped by configuration; then the deviations from the paper and links to every
 * artifact and manifest.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { join, relative, SEPARATOR } from "@std/path";
import type { ClaimVerdict } from "./claim_verdict.ts";
import { escapeHtml } from "./fit_table.ts";
import {
  htmlClaim,
  htmlVerdictMatrix,
  mdClaim,
  mdEscape,
  mdVerdictMatrix,
} from "./report_claims.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { type FailedInstance, failuresHtml, failuresMarkdown } from "./_failures.ts";

/** A rendered figure to show in the report. */
export interface ReportFigure {
  /** Short id, e.g. "F2". */
  id: string;
  title: string;
  caption?: string;
  /** The claims (SCIENCE.md §6 numbers) this figure bears on; none → "Other figures". */
  claims: number[];
  /** The showcase configuration it shows (F1–F6), if any. */
  config?: string;
  /** The PNG (embedded in the HTML) and, optionally, the SVG and Vega-Lite spec (linked). */
  pngPath: string;
  svgPath?: string;
  vlPath?: string;
  /** Width to show the PNG at, in CSS pixels (the SVG's width); default its own pixel width. */
  displayWidth?: number;
}

/** A labelled link to a file. */
export interface ReportLink {
  label: string;
  path: string;
}

/** Everything the report shows; nothing is computed here but layout. */
export interface ReportInput {
  title?: string;
  /** One line on how the results were made (profile, backend, date…), shown under the title. */
  provenance?: string;
  claims: ClaimVerdict[];
  figures: ReportFigure[];
  /** T1, shown under claim 4 (see fitTable). */
  fitTable?: { markdown: string; html: string };
  /** Figures that could not be drawn, with the reason (see renderFigureSet). */
  missingFigures?: { id: string; title: string; reason: string }[];
  /** Deviations from the paper (datasets, conventions, scale). */
  deviations: string[];
  artifacts: ReportLink[];
  manifests: ReportLink[];
  /** Instances of the run that failed or were not run: listed first, with their reasons. */
  failures?: FailedInstance[];
}

/** A path relative to the report's folder, with "/" separators, for links. */
function linkPath(outDir: string, path: string): string {
  return relative(outDir, path).split(SEPARATOR).join("/");
}

const href = (outDir: string, path: string) =>
  escapeHtml(linkPath(outDir, path).split("/").map(encodeURIComponent).join("/"));

function figuresFor(input: ReportInput, claim: number | undefined): ReportFigure[] {
  const known = new Set(input.claims.map((c) => c.id));
  return input.figures.filter((f) =>
    claim === undefined ? !f.claims.some((c) => known.has(c)) : f.claims.includes(claim)
  );
}

/**
 * A claim's figures by configuration; those of no configuration, or of one the claim has no row
 * for (so that no figure is left out), under `undefined`.
 */
function figureGroups(
  input: ReportInput,
  claimId: number,
  claim: ClaimVerdict,
): Map<string | undefined, ReportFigure[]> {
  const rows = new Set(claim.configurations.map((r) => r.config));
  const groups = new Map<string | undefined, ReportFigure[]>();
  for (const f of figuresFor(input, claimId)) {
    const key = f.config !== undefined && rows.has(f.config) ? f.config : undefined;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return groups;
}

function htmlFigure(f: ReportFigure, outDir: string, png: Uint8Array): string {
  const links = [["PNG", f.pngPath], ["SVG", f.svgPath], ["Vega-Lite", f.vlPath]]
    .filter((l): l is [string, string] => l[1] !== undefined)
    .map(([label, p]) => `<a href="${href(outDir, p)}">${label}</a>`).join(" · ");
  return `<figure id="${escapeHtml(f.id)}">
<img src="data:image/png;base64,${Buffer.from(png).toString("base64")}"${
    f.displayWidth ? ` width="${Math.round(f.displayWidth)}"` : ""
  } alt="${escapeHtml(`${f.id}: ${f.title}`)}">
<figcaption><b>${escapeHtml(f.id)}</b> ${escapeHtml(f.title)}${
    f.caption ? ` — ${escapeHtml(f.caption)}` : ""
  } (${links})</figcaption>
</figure>`;
}

function htmlClaimSection(
  c: ClaimVerdict,
  input: ReportInput,
  outDir: string,
  pngs: Map<string, Uint8Array>,
): string {
  const groups = figureGroups(input, c.id, c);
  const html = (figures: ReportFigure[] = []) =>
    figures.map((f) => htmlFigure(f, outDir, pngs.get(f.id)!)).join("\n");
  return `<section id="claim-${c.id}">
${htmlClaim(c, (config) => html(groups.get(config)))}
${c.id === 4 && input.fitTable ? `<h3>T1 · Power-law fits</h3>\n${input.fitTable.html}` : ""}
${html(groups.get(undefined))}
</section>`;
}

const CSS =
  `body{font-family:"DejaVu Sans",sans-serif;max-width:960px;margin:2em auto;padding:0 1em;
color:#1f2328;line-height:1.45}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px
solid #d0d7de;padding:.2em .6em;text-align:left}figure{margin:1em 0}img{max-width:100%;height:auto;
border:1px solid #d0d7de}.verdict{display:inline-block;color:#fff;padding:.15em .7em;
border-radius:1em;font-weight:bold;white-space:nowrap}table.configs,table.matrix{font-size:.85em}
td{vertical-align:top}table.numbers{font-size:.85em;margin-right:1em}.pair{display:flex;
flex-wrap:wrap;align-items:flex-start}td.na{color:#8c959f;text-align:center}.note{font-size:.85em;
color:#57606a}`;

function renderHtml(input: ReportInput, outDir: string, pngs: Map<string, Uint8Array>): string {
  const title = input.title ?? "Reproduction report";
  const other = figuresFor(input, undefined);
  const links = (items: ReportLink[]) =>
    items.length === 0
      ? "<p>none</p>"
      : `<ul>\n${
        items.map((l) => `<li><a href="${href(outDir, l.path)}">${escapeHtml(l.label)}</a></li>`)
          .join("\n")
      }\n</ul>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${input.provenance ? `<p>${escapeHtml(input.provenance)}</p>` : ""}
${failuresHtml(input.failures)}
${htmlVerdictMatrix(input.claims)}
${input.claims.map((c) => htmlClaimSection(c, input, outDir, pngs)).join("\n")}
${
    other.length
      ? `<section><h2>Other figures</h2>\n${
        other.map((f) => htmlFigure(f, outDir, pngs.get(f.id)!)).join("\n")
      }</section>`
      : ""
  }
${
    input.missingFigures?.length
      ? `<section id="missing-figures"><h2>Figures not drawn</h2>\n<ul>\n${
        input.missingFigures.map((m) =>
          `<li><b>${escapeHtml(m.id)}</b> ${escapeHtml(m.title)}: ${escapeHtml(m.reason)}</li>`
        ).join("\n")
      }\n</ul></section>`
      : ""
  }
<section id="deviations"><h2>Deviations from the paper</h2>
${
    input.deviations.length
      ? `<ul>\n${input.deviations.map((d) => `<li>${escapeHtml(d)}</li>`).join("\n")}\n</ul>`
      : "<p>none</p>"
  }
</section>
<section id="artifacts"><h2>Artifacts</h2>${links(input.artifacts)}
<h2>Manifests</h2>${links(input.manifests)}</section>
</body></html>
`;
}

const mdLink = (label: string, outDir: string, path: string) =>
  `[${mdEscape(label)}](<${linkPath(outDir, path)}>)`;

function renderMarkdown(input: ReportInput, outDir: string): string {
  const lines = [`# ${mdEscape(input.title ?? "Reproduction report")}`, ""];
  if (input.provenance) lines.push(mdEscape(input.provenance), "");
  lines.push(...failuresMarkdown(input.failures, mdEscape));
  lines.push(...mdVerdictMatrix(input.claims));
  const figure = (f: ReportFigure) =>
    `![${mdEscape(`${f.id}: ${f.title}`)}](<${linkPath(outDir, f.pngPath)}>)\n\n` +
    `**${f.id}** ${mdEscape(f.title)}${f.caption ? ` — ${mdEscape(f.caption)}` : ""} (` +
    [["PNG", f.pngPath], ["SVG", f.svgPath], ["Vega-Lite", f.vlPath]]
      .filter((l): l is [string, string] => l[1] !== undefined)
      .map(([label, p]) => mdLink(label, outDir, p)).join(" · ") +
    ")";
  for (const c of input.claims) {
    const groups = figureGroups(input, c.id, c);
    const figures = (config: string | undefined) =>
      (groups.get(config) ?? []).flatMap((f) => ["", figure(f)]);
    lines.push("", ...mdClaim(c, figures));
    if (c.id === 4 && input.fitTable) {
      lines.push("", "### T1 · Power-law fits", "", input.fitTable.markdown.trimEnd());
    }
    lines.push(...figures(undefined));
  }
  const other = figuresFor(input, undefined);
  if (other.length) lines.push("", "## Other figures", ...other.flatMap((f) => ["", figure(f)]));
  const list = (items: ReportLink[]) =>
    items.length ? items.map((l) => `- ${mdLink(l.label, outDir, l.path)}`) : ["none"];
  if (input.missingFigures?.length) {
    lines.push("", "## Figures not drawn", "");
    for (const m of input.missingFigures) {
      lines.push(`- **${mdEscape(m.id)}** ${mdEscape(m.title)}: ${mdEscape(m.reason)}`);
    }
  }
  lines.push(
    "",
    "## Deviations from the paper",
    "",
    ...(input.deviations.length ? input.deviations.map((d) => `- ${mdEscape(d)}`) : ["none"]),
    "",
    "## Artifacts",
    "",
    ...list(input.artifacts),
    "",
    "## Manifests",
    "",
    ...list(input.manifests),
  );
  return lines.join("\n") + "\n";
}

/** Writes `<outDir>/index.html` and `<outDir>/report.md` atomically; returns their paths. */
export async function writeReport(
  outDir: string,
  input: ReportInput,
): Promise<{ htmlPath: string; markdownPath: string }> {
  const ids = new Set<string>();
  input.figures.forEach((f, i) => {
    if (!/^[A-Za-z0-9_-]+$/.test(f.id)) {
      throw new Error(`figures[${i}].id: "${f.id}" must be letters, digits, "_" or "-"`);
    }
    if (ids.has(f.id)) throw new Error(`figures[${i}].id: "${f.id}" is not unique`);
    ids.add(f.id);
  });
  const pngs = new Map<string, Uint8Array>();
  for (const f of input.figures) pngs.set(f.id, await Deno.readFile(f.pngPath));
  const htmlPath = join(outDir, "index.html");
  const markdownPath = join(outDir, "report.md");
  await writeFileAtomic(htmlPath, renderHtml(input, outDir, pngs));
  await writeFileAtomic(markdownPath, renderMarkdown(input, outDir));
  return { htmlPath, markdownPath };
}
