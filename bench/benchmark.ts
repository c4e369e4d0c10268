/**
 * The shape of a benchmark module: `deno task bench` runs a list of these, each printing stable
 * `name value unit` lines through the `emit` callback it is given.
 *
 * @module
 */

/** Prints one result line `name value unit`. Names are lowercase, dot-separated and stable. */
export type Emit = (name: string, value: number, unit: string) => void;

/** One benchmark. */
export interface Benchmark {
  /** Stable name, the prefix of every line it prints (e.g. `numerics.a`). */
  name: string;
  /** One line on what it measures. */
  description: string;
  /** Whether `deno task bench` runs it without `--only` (long runs opt out). */
  byDefault: boolean;
  run(emit: Emit): Promise<void>;
}

/** Formats a value with 4 significant digits (integers as they are), for stable-width output. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/** The arithmetic mean of a sample. */
export function mean(xs: number[]): number {
  return xs.reduce((sum, x) => sum + x, 0) / xs.length;
}

/** The median of a sample. */
export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** The q-quantile of a sample (0 ≤ q ≤ 1), by linear interpolation between order statistics. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = q * (s.length - 1), lo = Math.floor(at);
  return lo + 1 < s.length ? s[lo] + (at - lo) * (s[lo + 1] - s[lo]) : s[lo];
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
