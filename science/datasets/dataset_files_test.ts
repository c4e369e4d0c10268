/**
 * `datasetFiles` against a mirror on 127.0.0.1 (science/testing/file_mirror.ts) serving small files in the real
 * formats: gzipped IDX files (as Fashion-MNIST's mirror has them) and a CIFAR-10 binary tar.gz. The
 * archives are made with the system's `gzip` and `tar`, and the checksums computed with WebCrypto
 * and `md5sum`, independently of the code under test.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { datasetFileNames, datasetFiles, loadImagePool } from "./sources.ts";
import { serveFiles } from "../testing/file_mirror.ts";

const IDX_NAMES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

/** An IDX file (big-endian header: 0, 0, type 0x08, rank; the dimensions) of uint8 data. */
function idx(shape: number[], fill: (i: number) => number): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * shape.length + size);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < size; i++) out[4 + 4 * shape.length + i] = fill(i);
  return out;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function tool(cmd: string, args: string[], cwd?: string): Promise<Uint8Array> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped" }).output();
  assert(out.success, `${cmd} ${args.join(" ")}`);
  return out.stdout;
}

/** Small Fashion-MNIST-format files: 5 training and 3 test images, gzipped by `gzip`. */
async function smallIdx(dir: string) {
  const raw = new Map<string, Uint8Array>([
    ["train-images-idx3-ubyte", idx([5, 28, 28], (i) => (i * 7) % 256)],
    ["train-labels-idx1-ubyte", idx([5], (i) => i % 10)],
    ["t10k-images-idx3-ubyte", idx([3, 28, 28], (i) => (i * 3) % 256)],
    ["t10k-labels-idx1-ubyte", idx([3], (i) => 9 - i)],
  ]);
  const served = new Map<string, Uint8Array>(), sums: Record<string, string> = {};
  for (const [name, bytes] of raw) {
    await Deno.writeFile(join(dir, name), bytes);
    served.set(`fashion-mnist/${name}.gz`, await tool("gzip", ["-c", "-n", join(dir, name)]));
    sums[name] = await sha256(bytes);
  }
  return { raw, served, sums };
}

Deno.test("datasetFiles: gzipped IDX from a mirror, verified, cached, never fetched twice", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { raw, served, sums } = await smallIdx(dir);
    const { close, log, base } = serveFiles(served);
    try {
      const options = {
        mirror: base,
        debianDir: join(dir, "none"),
        placedDir: join(dir, "none"),
        cacheDir: join(dir, "cache"),
        checksums: { idxSha256: sums },
      };
      const got = await datasetFiles("fashion-mnist", options);
      assertEquals(got.source, { kind: "download", location: `${base}/fashion-mnist/` });
      assertEquals([...got.files.keys()], IDX_NAMES);
      for (const [name, bytes] of raw) assertEquals(got.files.get(name), bytes, name);
      assertEquals(log.length, 4);
      const again = await datasetFiles("fashion-mnist", options);
      assertEquals(log.length, 4, "the verified downloads are not fetched again");
      assertEquals(again.files, got.files);
      // The same files read back from a folder give the split.
      const folder = join(dir, "store");
      await Deno.mkdir(folder);
      for (const [name, bytes] of got.files) await Deno.writeFile(join(folder, name), bytes);
      const test = await loadImagePool("fashion-mnist", "test", {
        filesDir: folder,
        checksums: { idxSha256: sums },
      });
      assertEquals([test.count, test.height, test.width], [3, 28, 28]);
      assertEquals([...test.labels], [9, 8, 7]);
      assertEquals(test.source.kind, "files");
    } finally {
      await close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("datasetFiles: a checksum mismatch is refused and leaves nothing behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { served, sums } = await smallIdx(dir);
    const { close, base } = serveFiles(served);
    try {
      const wrong = { ...sums, "train-labels-idx1-ubyte": "0".repeat(64) };
      const cache = join(dir, "cache");
      await assertRejects(
        () =>
          datasetFiles("fashion-mnist", {
            mirror: base,
            debianDir: join(dir, "none"),
            placedDir: join(dir, "none"),
            cacheDir: cache,
            checksums: { idxSha256: wrong },
          }),
        Error,
        `${base}/fashion-mnist/train-labels-idx1-ubyte.gz: sha256 of the decompressed contents ` +
          `is ${sums["train-labels-idx1-ubyte"]}, expected ${"0".repeat(64)}`,
      );
      const left = [...Deno.readDirSync(join(cache, "fashion-mnist"))].map((e) => e.name).sort();
      assertEquals(left, ["train-images-idx3-ubyte.gz"], "no .part, no unverified file");
    } finally {
      await close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("datasetFiles: an interrupted download resumes where it stopped", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { raw, served, sums } = await smallIdx(dir);
    const path = "fashion-mnist/train-images-idx3-ubyte.gz";
    const cut = Math.floor(served.get(path)!.length / 2);
    const { close, log, base } = serveFiles(served, { path, at: cut });
    try {
      const options = {
        mirror: base,
        debianDir: join(dir, "none"),
        placedDir: join(dir, "none"),
        cacheDir: join(dir, "cache"),
        checksums: { idxSha256: sums },
      };
      await assertRejects(() => datasetFiles("fashion-mnist", options), Error, "interrupted");
      const got = await datasetFiles("fashion-mnist", options);
      assertEquals(log.filter((l) => l.path === path).map((l) => l.range), [
        null,
        `bytes=${cut}-`,
      ]);
      assertEquals(got.files.get("train-images-idx3-ubyte"), raw.get("train-images-idx3-ubyte"));
    } finally {
      await close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("datasetFiles: CIFAR-10's binary tar.gz, checked by MD5, unpacked to its batches", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Two records per batch: a label byte and 3072 pixel bytes each.
    await Deno.mkdir(join(dir, "cifar-10-batches-bin"));
    const batches = new Map<string, Uint8Array>();
    for (const [i, name] of datasetFileNames("cifar10").entries()) {
      const bytes = new Uint8Array(2 * 3073).map((_, j) => (j * (i + 1)) % 256);
      bytes[0] = i % 10;
      bytes[3073] = (i + 3) % 10;
      batches.set(name, bytes);
      await Deno.writeFile(join(dir, "cifar-10-batches-bin", name), bytes);
    }
    await tool("tar", ["-czf", "archive.tar.gz", "cifar-10-batches-bin"], dir);
    const archive = await Deno.readFile(join(dir, "archive.tar.gz"));
    const md5 = new TextDecoder().decode(await tool("md5sum", [join(dir, "archive.tar.gz")]))
      .slice(0, 32);
    const { close, log, base } = serveFiles(new Map([["cifar10/cifar-10-binary.tar.gz", archive]]));
    try {
      const options = {
        mirror: base,
        placedDir: join(dir, "none"),
        cacheDir: join(dir, "cache"),
        checksums: { cifar10Md5: md5 },
      };
      const got = await datasetFiles("cifar10", options);
      assertEquals(got.source.kind, "download");
      assertEquals([...got.files.keys()], [
        "data_batch_1.bin",
        "data_batch_2.bin",
        "data_batch_3.bin",
        "data_batch_4.bin",
        "data_batch_5.bin",
        "test_batch.bin",
      ]);
      for (const [name, bytes] of batches) assertEquals(got.files.get(name), bytes, name);
      assertEquals(log.length, 1);
      await assertRejects(
        () =>
          datasetFiles("cifar10", {
            ...options,
            cacheDir: join(dir, "other"),
            checksums: { cifar10Md5: "f".repeat(32) },
          }),
        Error,
        `md5 of the file is ${md5}, expected ${"f".repeat(32)}`,
      );
    } finally {
      await close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
