import { assertEquals } from "@std/assert";
import { escapeHtml, fitTable } from "./fit_table.ts";

const fit = {
  config: "fmnist|mse<a>",
  over: "seeds" as const,
  beta: 0.31234,
  beta_ci_low: 0.25,
  beta_ci_high: 0.3749,
  c: 0.0123456,
  r2: 0.8766,
  points: 15,
};

Deno.test("fitTable: markdown rows with escaped pipes and fixed rounding", () => {
  const { markdown } = fitTable([fit]);
  assertEquals(
    markdown,
    "| configuration | fit over | β | β 95% CI | c | R² | points |\n" +
      "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n" +
      "| fmnist\\|mse<a> | seeds | 0.312 | [0.250, 0.375] | 0.0123 | 0.877 | 15 |\n",
  );
});

Deno.test("fitTable: HTML cells escaped; escapeHtml covers & < > \" '", () => {
  const { html } = fitTable([fit]);
  assertEquals(html.includes("<td>fmnist|mse&#60;a&#62;</td>"), true);
  assertEquals(html.match(/<tr>/g)?.length, 2);
  assertEquals(escapeHtml(`&<>"'`), "&#38;&#60;&#62;&#34;&#39;");
  assertEquals(fitTable([]).html.includes("<tbody>\n\n</tbody>"), true);
});
