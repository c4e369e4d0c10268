/**
 * Preprocessing of image datasets (SCIENCE.md §7): the chosen classes (the first C, or a list of labels), a balanced seeded subset of
 * size N, average-pool downsampling, scaling of bytes to [0, 1], and optional per-feature
 * standardisation with statistics from the training pool.
 *
 * @module
 */
import { Rng } from "../../util/rng.ts";

/** How many examples of each class a balanced subset of size n over C classes takes. */
export function perClassCounts(n: number, classes: number): number[] {
  // The remainder n mod C goes to the lowest classes, one each.
  return Array.from(
    { length: classes },
    (_, c) => Math.floor(n / classes) + (c < n % classes ? 1 : 0),
  );
}

/**
 * Indices of a balanced random subset of size n among the examples whose label is in
 * 0 … classes − 1 (others, e.g. −1, are not drawn):
 * each class's indices are shuffled with the seed and the first ones taken, then the selection
 * is shuffled so that classes are interleaved.
 */
export function balancedSubset(
  labels: ArrayLike<number>,
  classes: number,
  n: number,
  seed: number,
): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: must be a positive integer, got ${n}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= 0 && labels[i] < classes) byClass[labels[i]].push(i);
  }
  const counts = perClassCounts(n, classes);
  const rng = new Rng(seed);
  const chosen: number[] = [];
  byClass.forEach((indices, c) => {
    if (indices.length < counts[c]) {
      const total = byClass.reduce((s, x) => s + x.length, 0);
      throw new Error(
        `n: ${n} examples over ${classes} classes need ${
          counts[c]
        } of class ${c}, which has only ` +
          `${indices.length} (the ${classes} classes have ${total} examples)`,
      );
    }
    chosen.push(...rng.shuffle(indices).slice(0, counts[c]));
  });
  return rng.shuffle(chosen);
}

/**
 * Average-pools each image (channels × height × width, uint8) over k×k blocks; the result is
 * float32 in the original byte units. height and width must be multiples of k.
 */
export function averagePool(
  images: Uint8Array,
  indices: readonly number[],
  shape: { channels: number; height: number; width: number },
  k: number,
): Float32Array {
  const { channels, height, width } = shape;
  if (!Number.isInteger(k) || k < 1 || height % k !== 0 || width % k !== 0) {
    const allowed = Array.from({ length: Math.min(height, width) }, (_, i) => i + 1)
      .filter((d) => height % d === 0 && width % d === 0);
    throw new Error(
      `pool: ${k} does not divide the ${height}×${width} images; allowed: ${allowed.join(", ")}`,
    );
  }
  const h = height / k, w = width / k, size = channels * height * width, out = channels * h * w;
  const result = new Float32Array(indices.length * out);
  indices.forEach((index, row) => {
    const image = images.subarray(index * size, (index + 1) * size);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          let sum = 0;
          for (let di = 0; di < k; di++) {
            for (let dj = 0; dj < k; dj++) {
              sum += image[c * height * width + (i * k + di) * width + j * k + dj];
            }
          }
          result[row * out + c * h * w + i * w + j] = sum / (k * k);
        }
      }
    }
  });
  return result;
}

/** Per-feature mean and standard deviation (population, float64) of rows × dim features. */
export function featureStatistics(
  x: Float32Array,
  dim: number,
): { mean: Float64Array; std: Float64Array } {
  const rows = x.length / dim;
  const mean = new Float64Array(dim), sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j];
  mean.forEach((s, j) => mean[j] = s / rows);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) sq[j] += (x[r * dim + j] - mean[j]) ** 2;
  }
  return { mean, std: sq.map((s) => Math.sqrt(s / rows)) };
}

/**
 * Standardises features in place with given statistics; a constant feature (std below 1e-8,
 * such as an always-black border pixel) is only centred.
 */
export function standardise(
  x: Float32Array,
  dim: number,
  stats: { mean: Float64Array; std: Float64Array },
): void {
  for (let i = 0; i < x.length; i++) {
    const j = i % dim, s = stats.std[j];
    x[i] = (x[i] - stats.mean[j]) / (s < 1e-8 ? 1 : s);
  }
}
