/**
 * Benchmarks (`deno task bench`): runs every benchmark module's benchmarks and prints stable
 * `name value unit` lines on stdout (progress and errors go to stderr). See USAGE.
 * To add benchmarks, export a `Benchmark[]` from a module and append it to MODULES.
 *
 * @module
 */
import { parseArgs } from "@std/cli";
import {
  BACKEND_NAMES,
  type BackendRequest,
  parseBackendRequest,
  selectBackend,
} from "../science/model/backend.ts";
import {
  MAX_HELPERS,
  setKernelThreads,
  startKernelThreads,
} from "../science/linalg/kernel_threads.ts";
import { type Benchmark, formatValue } from "./benchmark.ts";
import { numericsBenchmarks } from "./numerics.ts";
import { pipelineBenchmarks } from "./pipeline.ts";
import { slurmBenchmarks } from "./slurm.ts";
import { workersBenchmarks } from "./workers.ts";
import { webgpuBenchmarks } from "./webgpu.ts";
import { MAX_WORKERS } from "../science/model/engine.ts";

/** Every benchmark module's list, in the order they run. */
const MODULES: Benchmark[][] = [
  pipelineBenchmarks,
  numericsBenchmarks,
  slurmBenchmarks,
  workersBenchmarks,
  webgpuBenchmarks,
];

/** The text `--help` prints. */
export const USAGE = `usage: deno task bench [OPTIONS]

options:
  --only NAME[,NAME...]  run only benchmarks whose name is NAME or starts with "NAME."
                         (e.g. numerics.a, xor); also runs those that are off by default
  --list                 list the benchmarks, "(only)" marking those off by default
  --backend NAME         compute backend: ${BACKEND_NAMES.join(", ")} (default wasm)
  --kernel-threads N     the eigen-solver's helper threads, 0..${MAX_HELPERS}
                         (default: one less than the cores, at most 3)
  --workers N            worker threads of the numerics benchmarks' objective, 0..${MAX_WORKERS}
                         (default 0, the main thread); workers.* also times N when N > 2
  -h, --help             this text`;

/** The bench's command line, validated. */
export interface BenchOptions {
  help: boolean;
  list: boolean;
  /** Name prefixes to run; undefined runs the default set. */
  only?: string[];
  backend: BackendRequest;
  kernelThreads?: number;
  workers: number;
}

/** Parses and validates the bench's arguments; throws an Error naming the bad option. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const args = parseArgs(argv, {
    string: ["only", "backend", "kernel-threads", "workers"],
    boolean: ["list", "help"],
    alias: { h: "help" },
    unknown: (arg: string) => {
      throw new Error(`unknown ${arg.startsWith("-") ? "option" : "argument"} ${arg} (see --help)`);
    },
  });
  const options: BenchOptions = {
    help: args.help,
    list: args.list,
    backend: parseBackendRequest(args.backend),
    workers: 0,
  };
  if (args.only !== undefined) {
    const only = args.only.split(",").filter((s: string) => s.length > 0);
    if (only.length === 0) throw new Error("--only needs at least one name (see --list)");
    options.only = only;
  }
  const threads = args["kernel-threads"];
  if (threads !== undefined) {
    if (!/^\d+$/.test(threads) || Number(threads) > MAX_HELPERS) {
      throw new Error(`--kernel-threads must be an integer in 0..${MAX_HELPERS}, got "${threads}"`);
    }
    options.kernelThreads = Number(threads);
  }
  const workers = args.workers;
  if (workers !== undefined) {
    if (!/^\d+$/.test(workers) || Number(workers) > MAX_WORKERS) {
      throw new Error(`--workers must be an integer in 0..${MAX_WORKERS}, got "${workers}"`);
    }
    options.workers = Number(workers);
  }
  return options;
}

/** The benchmarks the options select, in run order. */
export function chooseBenchmarks(all: Benchmark[], only?: string[]): Benchmark[] {
  if (!only) return all.filter((b) => b.byDefault);
  return all.filter((b) => only.some((o) => b.name === o || b.name.startsWith(`${o}.`)));
}

if (import.meta.main) {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(Deno.args);
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : e}`);
    Deno.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const all = MODULES.flat();
  if (options.list) {
    for (const b of all) console.log(`${b.name}\t${b.byDefault ? "" : "(only) "}${b.description}`);
    Deno.exit(0);
  }
  const chosen = chooseBenchmarks(all, options.only);
  if (chosen.length === 0) {
    console.error(`bench: no benchmark matches --only ${options.only}; see --list`);
    Deno.exit(2);
  }
  const backend = await selectBackend(options.backend);
  console.error(`bench: backend ${backend.name}`);
  if (options.kernelThreads !== undefined) setKernelThreads(options.kernelThreads);
  startKernelThreads();
  const emit = (name: string, value: number, unit: string) =>
    console.log(`${name} ${formatValue(value)} ${unit}`);
  let failed = 0;
  for (const b of chosen) {
    console.error(`bench: ${b.name} — ${b.description}`);
    try {
      await b.run(emit, { workers: options.workers });
    } catch (e) {
      failed++;
      console.error(`bench: ${b.name} failed: ${e instanceof Error ? e.stack : e}`);
    }
  }
  Deno.exit(failed > 0 ? 1 : 0);
}
