/**
 * Benchmarks (`deno task bench`): prints stable `name value unit` lines.
 *
 * @module
 */
if (import.meta.main) {
  console.error("bench: not yet available — no benchmark has landed yet");
  Deno.exit(2);
}
