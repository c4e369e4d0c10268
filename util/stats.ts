/**
 * The few descriptive statistics the claim checks and the benchmarks need, in float64 plain JS.
 *
 * @module
 */

function requireLength(xs: number[], n: number, what: string): void {
  if (xs.length < n) throw new Error(`${what}: needs at least ${n} values, got ${xs.length}`);
}

/** Arithmetic mean. */
export function mean(xs: number[]): number {
  requireLength(xs, 1, "mean");
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Median (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  requireLength(xs, 1, "median");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1), by linear interpolation between order statistics. */
export function quantile(xs: number[], q: number): number {
  requireLength(xs, 1, "quantile");
  const s = [...xs].sort((a, b) => a - b);
  const at = q * (s.length - 1), lo = Math.floor(at);
  return lo + 1 < s.length ? s[lo] + (at - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/** Pearson's correlation coefficient; NaN when either series is constant. */
export function pearson(xs: number[], ys: number[]): number {
  if (xs.length !== ys.length) throw new Error(`pearson: ${xs.length} x values, ${ys.length} y`);
  requireLength(xs, 2, "pearson");
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n, ties given the average of the ranks they span. */
export function averageRanks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rank correlation: Pearson's on average ranks (correct with ties). */
export function spearman(xs: number[], ys: number[]): number {
  return pearson(averageRanks(xs), averageRanks(ys));
}

/**
 * Linear interpolation of y(x) at `x` from points sorted by ascending x; undefined outside
 * [x₀, x_last] (no extrapolation).
 */
export function interpolate(xs: number[], ys: number[], x: number): number | undefined {
  if (xs.length === 0 || x < xs[0] || x > xs[xs.length - 1]) return undefined;
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  const w = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + w * (ys[hi] - ys[lo]);
}
