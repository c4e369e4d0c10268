/**
 * T1, the power-law fit table: configuration, fit over, β with its confidence interval, c, R²,
 * points — as a Markdown table and as an HTML table.
 *
 * @module
 */
import type { FitRow } from "./tables.ts";

const HEADER = ["configuration", "fit over", "β", "β 95% CI", "c", "R²", "points"];

/** Escapes the five HTML special characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const num = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function cells(fit: FitRow): string[] {
  return [
    fit.config,
    fit.over,
    num(fit.beta, 3),
    `[${num(fit.beta_ci_low, 3)}, ${num(fit.beta_ci_high, 3)}]`,
    Number.isFinite(fit.c) ? fit.c.toPrecision(3) : String(fit.c),
    num(fit.r2, 3),
    String(fit.points),
  ];
}

/** T1 as `{markdown, html}`, one row per fit, in the order given. */
export function fitTable(fits: FitRow[]): { markdown: string; html: string } {
  const rows = fits.map(cells);
  const mdCell = (s: string) => s.replace(/\|/g, "\\|");
  const markdown = [
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
  ].join("\n") + "\n";
  const html = `<table class="fits">\n<thead><tr>${
    HEADER.map((h) => `<th>${escapeHtml(h)}</th>`).join("")
  }</tr></thead>\n<tbody>\n${
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n")
  }\n</tbody>\n</table>\n`;
  return { markdown, html };
}
