/**
 * How the training set is cut into shards: the unit of data-parallel evaluation (science/model/
 * engine.ts). Every sum over examples (loss, gradient, curvature products) is taken shard by
 * shard and the shards' partial sums are added in shard order, so results depend on the shard
 * boundaries, never on how many threads computed the shards. The boundaries are therefore a
 * function of N and the network alone.
 *
 * Why these defaults. A shard costs its ops' fixed overhead besides its arithmetic, which matters
 * for small networks and which workers repay only when they run side by side. Measured as process
 * CPU time on the main thread (tfjs-wasm, this 2-core machine): config a of bench/numerics.ts
 * (49-64-64-64-2, P = 11.6 k, N = 512) took 4.6 / 5.4 / 6.0 / 7.1 ms per gradient in 1 / 2 / 4 / 8
 * shards, the XOR net (2-128-128-128-2, P = 33.7 k, N = 128) 2.7 / 2.9 / 3.4 / 5.8 ms, and config b
 * (784-200-200-10, P = 199 k, N = 1000) 5–18 % more in 6 shards than in 1 (HVP of 3 vectors to
 * gradient), while 2 workers on its 6 shards halve the busiest thread's time (bench/workers.ts). So a shard has at least {@linkcode MIN_SHARD_ROWS} rows
 * and rows × P ≥ {@linkcode MIN_SHARD_WORK} multiply-adds per layer pass: config a gets 2 shards,
 * config b 6, a paper-scale run (P = 2 M, N = 5000) 16. The count is the largest of
 * {@linkcode SHARD_COUNTS} that allows: counts with many divisors balance many worker counts (6
 * shards give 2 or 3 workers equal shares; 7 would leave one of 2 workers a shard more, capping
 * the speed-up at 1.75×), and at most 16, because the main thread adds every worker's answers
 * (k·P floats a shard).
 *
 * @module
 */

/** The fewest rows a shard has (unless N itself is smaller). */
export const MIN_SHARD_ROWS = 128;

/** The least rows × P a shard has (unless N itself is smaller): 2²¹, about 2 M. */
export const MIN_SHARD_WORK = 2 ** 21;

/** The shard counts used, in increasing order. */
export const SHARD_COUNTS = [1, 2, 4, 6, 8, 12, 16] as const;

/** A shard: rows [start, end) of the training set. */
export interface Shard {
  start: number;
  end: number;
}

/**
 * The shards of N examples for a network of P parameters: the largest count of
 * {@linkcode SHARD_COUNTS} that leaves each at least {@linkcode MIN_SHARD_ROWS} rows and
 * {@linkcode MIN_SHARD_WORK} / P rows, sizes as equal as whole rows allow. `rows`, when given,
 * overrides the rule with shards of that many rows (the last one shorter), e.g. for tests.
 */
export function shardPlan(n: number, parameterCount: number, rows?: number): Shard[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: must be an integer ≥ 1, got ${n}`);
  if (rows !== undefined) {
    if (!Number.isInteger(rows) || rows < 1) {
      throw new Error(`shardRows: must be a positive integer, got ${rows}`);
    }
    const out: Shard[] = [];
    for (let start = 0; start < n; start += rows) {
      out.push({ start, end: Math.min(n, start + rows) });
    }
    return out;
  }
  const least = Math.max(MIN_SHARD_ROWS, MIN_SHARD_WORK / parameterCount);
  const count = SHARD_COUNTS.filter((c) => c === 1 || n / c >= least).at(-1)!;
  return Array.from({ length: count }, (_, s) => ({
    start: Math.floor((s * n) / count),
    end: Math.floor(((s + 1) * n) / count),
  }));
}
