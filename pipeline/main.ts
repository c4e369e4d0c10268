/**
 * The pipeline's command-line entry point (`deno task pipeline`).
 *
 * @module
 */
if (import.meta.main) {
  console.error(
    "pipeline: not yet available — the DAG engine (issue 3) and the reproduction stages (issue 6) " +
      "have not landed",
  );
  Deno.exit(2);
}
