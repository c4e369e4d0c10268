/**
 * Benchmarks (`deno task bench`): runs every benchmark module's benchmarks and prints stable
 * `name value unit` lines on stdout (progress and errors go to stderr).
 *
 * Usage: deno task bench [--only NAME[,NAME…]] [--list] [--backend wasm|cpu|…]
 *                        [--kernel-threads N]
 * `--only` takes name prefixes (e.g. `numerics.a`, `xor`) and also runs benchmarks that are off
 * by default. `--kernel-threads` sets the eigen-solver's helper threads (science/kernel_threads.ts;
 * default: one less than the cores, at most 3). To add benchmarks, export a `Benchmark[]` from a
 * module and append it to MODULES.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import { parseBackendRequest, selectBackend } from "../science/backend.ts";
import { MAX_HELPERS, setKernelThreads, startKernelThreads } from "../science/kernel_threads.ts";
import { type Benchmark, formatValue } from "./benchmark.ts";
import { numericsBenchmarks } from "./numerics.ts";
import { pipelineBenchmarks } from "./pipeline.ts";

/** Every benchmark module's list, in the order they run. */
const MODULES: Benchmark[][] = [pipelineBenchmarks, numericsBenchmarks];

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["only", "backend", "kernel-threads"],
    boolean: ["list"],
  });
  const all = MODULES.flat();
  if (args.list) {
    for (const b of all) console.log(`${b.name}\t${b.byDefault ? "" : "(only) "}${b.description}`);
    Deno.exit(0);
  }
  const only = args.only?.split(",").filter((s: string) => s.length > 0);
  const chosen = only
    ? all.filter((b) => only.some((o: string) => b.name === o || b.name.startsWith(`${o}.`)))
    : all.filter((b) => b.byDefault);
  if (chosen.length === 0) {
    console.error(`bench: no benchmark matches --only ${args.only}; see --list`);
    Deno.exit(2);
  }
  const backend = await selectBackend(parseBackendRequest(args.backend));
  console.error(`bench: backend ${backend.name}`);
  const threads = args["kernel-threads"];
  if (threads !== undefined) {
    if (!/^\d+$/.test(threads) || Number(threads) > MAX_HELPERS) {
      console.error(
        `bench: --kernel-threads must be an integer in 0..${MAX_HELPERS}, got "${threads}"`,
      );
      Deno.exit(2);
    }
    setKernelThreads(Number(threads));
  }
  startKernelThreads();
  const emit = (name: string, value: number, unit: string) =>
    console.log(`${name} ${formatValue(value)} ${unit}`);
  let failed = 0;
  for (const b of chosen) {
    console.error(`bench: ${b.name} — ${b.description}`);
    try {
      await b.run(emit);
    } catch (e) {
      failed++;
      console.error(`bench: ${b.name} failed: ${e instanceof Error ? e.stack : e}`);
    }
  }
  Deno.exit(failed > 0 ? 1 : 0);
}
