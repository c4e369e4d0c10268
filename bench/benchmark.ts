/**
 * The shape of a benchmark module: `deno task bench` runs a list of these, each printing stable
 * `name value unit` lines through the `emit` callback it is given.
 *
 * @module
 */
import { median } from "../util/stats.ts";

/** Prints one result line `name value unit`. Names are lowercase, dot-separated and stable. */
export type Emit = (name: string, value: number, unit: string) => void;

/** Settings of a bench run that benchmarks may honour (from the command line). */
export interface BenchSettings {
  /** Worker threads of the objectives the numerics benchmarks time (0: the main thread). */
  workers: number;
}

/** One benchmark. */
export interface Benchmark {
  /** Stable name, the prefix of every line it prints (e.g. `numerics.a`). */
  name: string;
  /** One line on what it measures. */
  description: string;
  /** Whether `deno task bench` runs it without `--only` (long runs opt out). */
  byDefault: boolean;
  run(emit: Emit, settings: BenchSettings): Promise<void>;
}

/** Formats a value with 4 significant digits (integers as they are), for stable-width output. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/** Median wall time in ms of `reps` calls of `f`, after one warm-up call. */
export function timeMs(f: () => void, reps: number): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}
