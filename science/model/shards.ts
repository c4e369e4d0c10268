/**
 * How the training set is cut into shards: the unit of data-parallel evaluation (science/model/
 * engine.ts). Every sum over examples (loss, gradient, curvature products) is taken shard by
 * shard and the shards' partial sums are added in shard order, so results depend on the shard
 * boundaries, never on how many threads computed the shards. The boundaries are therefore a
 * function of N alone.
 *
 * Why these defaults (measured on config a, 49-64-64-64-2 ELU with N = 512, and config b,
 * 784-200-200-10 tanh with N = 1000, tfjs-wasm, bench/numerics.ts): shards of 125–250 rows cost
 * no more than one shard of N rows (b's products even ran 10–20 % faster, the working set fits the
 * cache better), while shards of 64 rows or fewer made config a's HVP 30 % slower and of 32 rows
 * 2.5× slower, per-op overhead taking over. So a shard has at least {@linkcode MIN_SHARD_ROWS}
 * rows. The count is the largest of {@linkcode SHARD_COUNTS} that allows: counts with many
 * divisors balance many worker counts (6 shards give 2 or 3 workers equal shares; 7 would leave
 * one of 2 workers a shard more, capping the speed-up at 1.75×), and at most 16, because the
 * main thread adds every shard's partial result (k·P floats each).
 *
 * @module
 */

/** The fewest rows a shard has (unless N itself is smaller). */
export const MIN_SHARD_ROWS = 128;

/** The shard counts used, in increasing order. */
export const SHARD_COUNTS = [1, 2, 4, 6, 8, 12, 16] as const;

/** A shard: rows [start, end) of the training set. */
export interface Shard {
  start: number;
  end: number;
}

/**
 * The shards of N examples: the largest count of {@linkcode SHARD_COUNTS} that leaves each at
 * least {@linkcode MIN_SHARD_ROWS} rows, sizes as equal as whole rows allow. `rows`, when given,
 * overrides the rule with shards of that many rows (the last one shorter), e.g. for tests.
 */
export function shardPlan(n: number, rows?: number): Shard[] {
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
  const count = SHARD_COUNTS.filter((c) => c === 1 || n / c >= MIN_SHARD_ROWS).at(-1)!;
  return Array.from({ length: count }, (_, s) => ({
    start: Math.floor((s * n) / count),
    end: Math.floor(((s + 1) * n) / count),
  }));
}
