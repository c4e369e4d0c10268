/**
 * The report's section on an incomplete run: every instance that failed, with its reason, and the
 * ones not run because of them, so that a report written from what finished says what it lacks.
 *
 * @module
 */
import { escapeHtml } from "./fit_table.ts";

/** An instance the report's run could not use, and why (the pipeline's UpstreamFailure). */
export interface FailedInstance {
  id: string;
  outcome: "failed" | "skipped";
  reason: string;
}

const INTRO = "This report is written from what finished: the results below leave out these " +
  "instances, and any claim that needs them says so.";

/** The HTML section (empty when nothing failed). */
export function failuresHtml(failures: readonly FailedInstance[] | undefined): string {
  if (!failures?.length) return "";
  const failed = failures.filter((f) => f.outcome === "failed");
  const skipped = failures.filter((f) => f.outcome === "skipped");
  return `<section id="failures"><h2>Incomplete run: ${failed.length} failed, ${skipped.length} ` +
    `not run</h2>\n<p>${escapeHtml(INTRO)}</p>\n<ul>\n${
      failed.map((f) => `<li><b>${escapeHtml(f.id)}</b> failed: ${escapeHtml(f.reason)}</li>`)
        .join("\n")
    }\n</ul>\n${
      skipped.length
        ? `<p>Not run because of these failures: ${
          skipped.map((f) => escapeHtml(f.id)).join(", ")
        }.</p>`
        : ""
    }</section>`;
}

/** The Markdown lines (none when nothing failed). */
export function failuresMarkdown(
  failures: readonly FailedInstance[] | undefined,
  escape: (s: string) => string,
): string[] {
  if (!failures?.length) return [];
  const failed = failures.filter((f) => f.outcome === "failed");
  const skipped = failures.filter((f) => f.outcome === "skipped");
  return [
    `## Incomplete run: ${failed.length} failed, ${skipped.length} not run`,
    "",
    escape(INTRO),
    "",
    ...failed.map((f) => `- **${escape(f.id)}** failed: ${escape(f.reason)}`),
    ...(skipped.length
      ? ["", `Not run because of these failures: ${skipped.map((f) => escape(f.id)).join(", ")}.`]
      : []),
    "",
  ];
}
