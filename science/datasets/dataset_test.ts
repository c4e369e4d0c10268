import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { decodeNpy } from "../io/npy.ts";
import { prepareDataset, resolveConfig, writeDataset } from "./dataset.ts";

/** Fashion-MNIST's training images and labels straight from the IDX spec (data at 16 / 8). */
async function rawFashionTrain(): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const read = async (name: string) => {
    const bytes = await Deno.readFile(`/usr/share/datasets/fashion-mnist/${name}`);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };
  return {
    images: (await read("train-images-idx3-ubyte.gz")).subarray(16),
    labels: (await read("train-labels-idx1-ubyte.gz")).subarray(8),
  };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("dataset: Fashion-MNIST subset, 2×2 pooled and scaled, written as .npy + manifest", async () => {
  const data = await prepareDataset({
    dataset: "fashion-mnist",
    n: 30,
    classes: 3,
    pool: 2,
    seed: 4,
  });
  assertEquals([data.n, data.dim, data.classes], [30, 196, 3]);
  const raw = await rawFashionTrain();
  const counts = [0, 0, 0];
  for (let r = 0; r < 30; r++) {
    const src = data.indices![r];
    assertEquals(data.labels[r], raw.labels[src]);
    counts[data.labels[r]]++;
    for (const [i, j] of [[0, 0], [7, 9], [13, 13]]) { // pooled pixel (i, j)
      const at = src * 784 + 2 * i * 28 + 2 * j;
      const want =
        (raw.images[at] + raw.images[at + 1] + raw.images[at + 28] + raw.images[at + 29]) / 4 / 255;
      assertAlmostEquals(data.inputs[r * 196 + i * 14 + j], want, 1e-6);
    }
  }
  assertEquals(counts, [10, 10, 10]);
  const dir = await Deno.makeTempDir();
  try {
    const manifest = await writeDataset(dir, data);
    const inputs = decodeNpy(await Deno.readFile(join(dir, "inputs.npy")));
    assertEquals(inputs.shape, [30, 196]);
    assertEquals(inputs.data, data.inputs);
    const labels = decodeNpy(await Deno.readFile(join(dir, "labels.npy")));
    assert(labels.data instanceof Int32Array);
    assertEquals(labels.data, data.labels);
    const onDisk = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
    assertEquals(onDisk, manifest);
    for (const array of Object.values(manifest.arrays)) {
      assertEquals(array.sha256, await sha256Hex(await Deno.readFile(join(dir, array.file))));
    }
    assertEquals(manifest.config, {
      dataset: "fashion-mnist",
      n: 30,
      classes: 3,
      classList: [0, 1, 2],
      seed: 4,
      split: "train",
      pool: 2,
      scale: true,
      standardise: false,
      standardisePool: null,
    });
    assertEquals(manifest.arrays.inputs.dtype, "<f4");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dataset: standardisation statistics come from the whole training pool", async () => {
  const data = await prepareDataset({
    dataset: "fashion-mnist",
    n: 20,
    classes: 2,
    standardise: true,
  });
  const raw = await rawFashionTrain();
  const j = 400; // a central pixel
  let sum = 0, count = 0;
  for (let i = 0; i < raw.labels.length; i++) {
    if (raw.labels[i] < 2) (sum += raw.images[i * 784 + j] / 255, count++);
  }
  assertEquals(count, 12000);
  assertAlmostEquals(data.statistics!.mean[j], sum / count, 1e-7); // float32 features
  const x = (raw.images[data.indices![0] * 784 + j] / 255 - sum / count) / data.statistics!.std[j];
  assertAlmostEquals(data.inputs[j], x, 1e-5);
});

Deno.test("dataset: synthetic data is standardised with its own statistics", async () => {
  const data = await prepareDataset({
    dataset: "gaussian-mixture",
    n: 50,
    dim: 3,
    standardise: true,
  });
  for (let j = 0; j < 3; j++) {
    let s = 0, q = 0;
    for (let i = 0; i < 50; i++) (s += data.inputs[i * 3 + j], q += data.inputs[i * 3 + j] ** 2);
    assertAlmostEquals(s / 50, 0, 1e-6);
    assertAlmostEquals(q / 50, 1, 1e-5);
  }
  const xor = await prepareDataset({ dataset: "xor", n: 128 });
  assertEquals([xor.dim, xor.classes, xor.indices], [2, 2, undefined]);
  assertEquals(xor.manifest.config, {
    dataset: "xor",
    n: 128,
    classes: 2,
    seed: 0,
    standardise: false,
  });
});

Deno.test("dataset: unknown names, too large N and misplaced options are clear errors", async () => {
  assertThrows(
    () => resolveConfig({ dataset: "imagenet" as "xor", n: 3 }),
    Error,
    'dataset: "imagenet" is not one of fashion-mnist, mnist, cifar10, xor, teacher, gaussian-mixture',
  );
  assertThrows(
    () => resolveConfig({ dataset: "mnist", n: 10, classes: 11 }),
    Error,
    "classes: must be an integer in 2..10",
  );
  assertThrows(
    () => resolveConfig({ dataset: "xor", n: 10, pool: 2 }),
    Error,
    "pool: applies to image datasets only",
  );
  assertThrows(() => resolveConfig({ dataset: "xor", n: 0 }), Error, "n: must be an integer");
  await assertRejects(
    () => prepareDataset({ dataset: "mnist", n: 20000, classes: 2 }),
    Error,
    "n: 20000 examples over 2 classes need 10000 of class 0, which has only 5923",
  );
});

Deno.test("dataset: a class list takes those labels in order, relabelled 0 … C − 1", async () => {
  const raw = await rawFashionTrain();
  // T-shirt/top (0) and Shirt (6), given as [6, 0]: Shirt becomes class 0.
  const data = await prepareDataset({ dataset: "fashion-mnist", n: 40, classes: [6, 0], seed: 1 });
  assertEquals(data.classes, 2);
  const counts = [0, 0];
  for (let r = 0; r < 40; r++) {
    const source = raw.labels[data.indices![r]];
    assertEquals(data.labels[r], source === 6 ? 0 : source === 0 ? 1 : -1);
    counts[data.labels[r]]++;
  }
  assertEquals(counts, [20, 20]);
  assertEquals(data.manifest.config.classList, [6, 0]);
  // A count C is the list of the first C labels: the same examples, bit for bit.
  const byCount = await prepareDataset({ dataset: "fashion-mnist", n: 40, classes: 2, seed: 1 });
  const byList = await prepareDataset({
    dataset: "fashion-mnist",
    n: 40,
    classes: [0, 1],
    seed: 1,
  });
  assertEquals(byList.indices, byCount.indices);
  assertEquals(byList.inputs, byCount.inputs);
});

Deno.test("dataset: a bad class list is refused, naming the field", () => {
  const bad: [unknown, string][] = [
    [[0, 0], "classes: each label at most once, got [0, 0]"],
    [[0, 10], "classes[1]: must be an integer in 0..9, got 10"],
    [[3], "classes: must be an integer in 2..10, got 1"],
  ];
  for (const [classes, message] of bad) {
    assertThrows(
      () => resolveConfig({ dataset: "mnist", n: 10, classes: classes as number[] }),
      Error,
      message,
    );
  }
  assertThrows(
    () => resolveConfig({ dataset: "xor", n: 10, classes: [1, 0] }),
    Error,
    "classes: xor takes its first C classes [0, …, C − 1], got [1, 0]",
  );
  assertEquals(resolveConfig({ dataset: "xor", n: 10, classes: [0, 1] }).classes, 2);
});
