import { assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import {
  averagePool,
  balancedSubset,
  featureStatistics,
  perClassCounts,
  standardise,
} from "./preprocess.ts";

Deno.test("preprocess: balanced subset takes equal shares of the first C classes, seeded", () => {
  const labels = Array.from({ length: 300 }, (_, i) => i % 5); // 60 of each of 5 classes
  assertEquals(perClassCounts(10, 3), [4, 3, 3]);
  const picked = balancedSubset(labels, 3, 10, 42);
  assertEquals(picked.length, 10);
  assertEquals(new Set(picked).size, 10, "no repeats");
  const counts = [0, 0, 0, 0, 0];
  for (const i of picked) counts[labels[i]]++;
  assertEquals(counts, [4, 3, 3, 0, 0]);
  assertEquals(balancedSubset(labels, 3, 10, 42), picked);
  assertNotEquals(balancedSubset(labels, 3, 10, 43), picked);
});

Deno.test("preprocess: N larger than the chosen classes hold is a clear error", () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2];
  assertThrows(
    () => balancedSubset(labels, 2, 6, 0),
    Error,
    "n: 6 examples over 2 classes need 3 of class 1, which has only 2 (the 2 classes have 5 examples)",
  );
  assertThrows(() => balancedSubset(labels, 2, 0, 0), Error, "n: must be a positive integer");
});

Deno.test("preprocess: 2×2 average pooling of a hand-written 2-channel 4×4 image", () => {
  // Channel 0 is 0..15 row-major, channel 1 is all 8; image 1 is all 255.
  const images = Uint8Array.from([
    ...Array.from({ length: 16 }, (_, i) => i),
    ...Array(16).fill(8),
    ...Array(32).fill(255),
  ]);
  const pooled = averagePool(images, [1, 0], { channels: 2, height: 4, width: 4 }, 2);
  // Blocks of channel 0: (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5, 10.5, 12.5.
  assertEquals(Array.from(pooled), [...Array(8).fill(255), 2.5, 4.5, 10.5, 12.5, 8, 8, 8, 8]);
  assertThrows(
    () => averagePool(images, [0], { channels: 2, height: 4, width: 4 }, 3),
    Error,
    "pool: 3 does not divide the 4×4 images; allowed: 1, 2, 4",
  );
});

Deno.test("preprocess: standardisation uses the given statistics; constant features are centred", () => {
  const x = Float32Array.of(1, 5, 3, 5, 5, 5); // 3 rows × 2 features
  const stats = featureStatistics(x, 2);
  assertEquals(Array.from(stats.mean), [3, 5]);
  assertAlmostEquals(stats.std[0], Math.sqrt(8 / 3), 1e-12);
  assertEquals(stats.std[1], 0);
  standardise(x, 2, stats);
  const s = Math.sqrt(8 / 3);
  [-2 / s, 0, 0, 0, 2 / s, 0].forEach((v, i) => assertAlmostEquals(x[i], v, 1e-6));
});
