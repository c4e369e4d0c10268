/**
 * The claims' part of the report, as HTML and as Markdown: the verdict matrix (claim ×
 * configuration) for the top of the page, and per claim its overall verdict with the reason,
 * the criterion, the paper's statement and one row per configuration (verdict, reason, the judged
 * numbers, the whole-run or other unjudged figures beside them, and the eigen-solve flag).
 *
 * @module
 */
import type { ClaimVerdict, ConfigurationVerdict, Verdict } from "./claim_verdict.ts";
import { fmt } from "./claim_verdict.ts";
import { escapeHtml } from "./fit_table.ts";

/** The colour of each verdict. */
export const VERDICT_COLOR: Record<Verdict, string> = {
  "reproduced": "#1a7f37",
  "partly reproduced": "#0969da",
  "not reproduced": "#cf222e",
  "inconclusive": "#9a6700",
};

const FLAG = "⚑";

const cellText = (v: number | string) => (typeof v === "number" ? fmt(v) : v);

/** Every configuration the claims name, showcases first, each once, in order. */
export function configurationsOf(claims: ClaimVerdict[]): { config: string; kind: string }[] {
  const seen = new Map<string, string>();
  for (const kind of ["showcase", "sweep"]) {
    for (const c of claims.filter((c) => c.appliesTo === kind)) {
      for (const r of c.configurations) if (!seen.has(r.config)) seen.set(r.config, kind);
    }
  }
  return [...seen].map(([config, kind]) => ({ config, kind }));
}

const rowOf = (claim: ClaimVerdict, config: string) =>
  claim.configurations.find((r) => r.config === config);

const flagged = (r: ConfigurationVerdict) => r.eigenSolves.status === "flagged";

// ---------------------------------------------------------------- HTML

const badge = (v: Verdict, extra = "") =>
  `<span class="verdict" style="background:${VERDICT_COLOR[v]}">${escapeHtml(v)}${extra}</span>`;

/** The verdict matrix: a row per claim, its overall verdict, a column per configuration. */
export function htmlVerdictMatrix(claims: ClaimVerdict[]): string {
  const configs = configurationsOf(claims);
  const head = configs.map((c) => `<th>${escapeHtml(c.config)}</th>`).join("");
  const rows = claims.map((claim) => {
    const cells = configs.map(({ config }) => {
      const r = rowOf(claim, config);
      if (!r) return `<td class="na">—</td>`;
      const flag = flagged(r)
        ? ` <span title="${escapeHtml(r.eigenSolves.note)}">${FLAG}</span>`
        : "";
      return `<td style="color:${VERDICT_COLOR[r.verdict]}">${escapeHtml(r.verdict)}${flag}</td>`;
    }).join("");
    return `<tr><td><a href="#claim-${claim.id}">Claim ${claim.id}</a> ${
      escapeHtml(claim.title)
    }</td><td style="color:${VERDICT_COLOR[claim.verdict]}"><b>${
      escapeHtml(claim.verdict)
    }</b></td>${cells}</tr>`;
  }).join("\n");
  return `<table class="matrix" id="verdict-matrix"><thead><tr><th>claim</th><th>overall</th>${head}` +
    `</tr></thead><tbody>\n${rows}\n</tbody></table>\n<p class="note">— : the claim is not judged ` +
    `on that kind of configuration (claims 1–3 on showcases, claim 4 on sweeps). ${FLAG}: some ` +
    `of its runs had eigen-solves that did not converge (the verdict stands; see the claim's ` +
    `table).</p>`;
}

const htmlNumbers = (caption: string, numbers: Record<string, number | string>) => {
  const rows = Object.entries(numbers).map(([k, v]) =>
    `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(cellText(v))}</td></tr>`
  );
  return rows.length === 0
    ? ""
    : `<table class="numbers"><thead><tr><th>${escapeHtml(caption)}</th><th>value</th></tr>` +
      `</thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
};

/**
 * A claim's section head, its table of configurations (verdict, reason, eigen-solves) and each
 * configuration's numbers; `figures(config)` gives the HTML of that configuration's figures.
 */
export function htmlClaim(c: ClaimVerdict, figures: (config: string) => string): string {
  const rows = c.configurations.map((r) =>
    `<tr><td><a href="#claim-${c.id}-${escapeHtml(r.config)}">${escapeHtml(r.config)}</a></td>` +
    `<td>${badge(r.verdict, flagged(r) ? ` ${FLAG}` : "")}</td><td>${escapeHtml(r.reason)}</td>` +
    `<td>${escapeHtml(r.eigenSolves.note)}</td></tr>`
  ).join("\n");
  const table = c.configurations.length === 0
    ? `<p>No ${c.appliesTo} configuration ran.</p>`
    : `<table class="configs"><thead><tr><th>configuration</th><th>verdict</th><th>reason</th>` +
      `<th>eigen-solves</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
  const unjudged = c.appliesTo === "showcase" ? "whole run (not judged)" : "reported (not judged)";
  const details = c.configurations.map((r) =>
    `<h3 id="claim-${c.id}-${escapeHtml(r.config)}">${escapeHtml(r.config)}: ${
      escapeHtml(r.verdict)
    }</h3>\n<div class="pair">${htmlNumbers("judged", r.numbers)}${
      htmlNumbers(unjudged, r.unjudged)
    }</div>\n${figures(r.config)}`
  );
  return `<h2>Claim ${c.id}: ${escapeHtml(c.title)}</h2>
<p>${badge(c.verdict)}</p>
<p><b>Why:</b> ${escapeHtml(c.reason)}</p>
<p><b>Criterion</b> (per ${c.appliesTo} configuration): ${escapeHtml(c.criterion)}</p>
<p><b>Paper:</b> ${escapeHtml(c.paper)}</p>
${table}
${details.join("\n")}`;
}

// ---------------------------------------------------------------- Markdown

/** Escapes Markdown's special characters. */
export const mdEscape = (s: string): string => s.replace(/([\\`*_[\]|<>])/g, "\\$1");

/** The verdict matrix as a Markdown table. */
export function mdVerdictMatrix(claims: ClaimVerdict[]): string[] {
  const configs = configurationsOf(claims);
  const lines = [
    `| claim | overall | ${configs.map((c) => mdEscape(c.config)).join(" | ")} |`,
    `| --- | --- | ${configs.map(() => "---").join(" | ")} |`,
  ];
  for (const claim of claims) {
    const cells = configs.map(({ config }) => {
      const r = rowOf(claim, config);
      return r ? `${r.verdict}${flagged(r) ? ` ${FLAG}` : ""}` : "—";
    });
    lines.push(
      `| [${claim.id}](#claim-${claim.id}) | **${claim.verdict}** | ${cells.join(" | ")} |`,
    );
  }
  lines.push(
    "",
    "— : not judged on that kind of configuration (claims 1–3 on showcases, claim 4 on sweeps). " +
      `${FLAG}: some runs had eigen-solves that did not converge (the verdict stands).`,
  );
  return lines;
}

/** A claim's section as Markdown lines; `figures(config)` gives a configuration's figures. */
export function mdClaim(c: ClaimVerdict, figures: (config: string) => string[]): string[] {
  const lines = [
    `<a id="claim-${c.id}"></a>`,
    `## Claim ${c.id}: ${mdEscape(c.title)}`,
    "",
    `**Verdict: ${c.verdict}.** ${mdEscape(c.reason)}`,
    "",
    `- Criterion (per ${c.appliesTo} configuration): ${mdEscape(c.criterion)}`,
    `- Paper: ${mdEscape(c.paper)}`,
    "",
  ];
  if (c.configurations.length === 0) return [...lines, `No ${c.appliesTo} configuration ran.`];
  lines.push("| configuration | verdict | reason | eigen-solves |", "| --- | --- | --- | --- |");
  for (const r of c.configurations) {
    lines.push(
      `| ${mdEscape(r.config)} | **${r.verdict}**${flagged(r) ? ` ${FLAG}` : ""} | ` +
        `${mdEscape(r.reason)} | ${mdEscape(r.eigenSolves.note)} |`,
    );
  }
  const list = (numbers: Record<string, number | string>) =>
    Object.entries(numbers).map(([k, v]) => `  - ${mdEscape(k)}: ${mdEscape(cellText(v))}`);
  for (const r of c.configurations) {
    lines.push("", `### ${mdEscape(r.config)}`, "", "- judged numbers:", ...list(r.numbers));
    const unjudged = list(r.unjudged);
    if (unjudged.length) {
      lines.push(
        `- ${c.appliesTo === "showcase" ? "whole run" : "reported"} (not judged):`,
        ...unjudged,
      );
    }
    lines.push(...figures(r.config));
  }
  return lines;
}
