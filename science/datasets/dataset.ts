/**
 * Stage-ready dataset preparation: one validated configuration in, float32 inputs (N × d), int32
 * labels and a manifest recording every choice out; written as `.npy` files that numpy loads
 * unchanged, plus `manifest.json` with shapes, checksums and the preprocessing.
 *
 * @module
 */
import { join } from "@std/path";
import { encodeNpy } from "../io/npy.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { digest } from "./download.ts";
import { IMAGE_DATASETS, type ImageDataset, loadImagePool, type SourceOptions } from "./sources.ts";
import { averagePool, balancedSubset, featureStatistics, standardise } from "./preprocess.ts";
import { gaussianMixtureData, teacherData, xorData } from "./synthetic.ts";

/** Every dataset name a configuration may use. */
export const DATASET_NAMES = [...IMAGE_DATASETS, "xor", "teacher", "gaussian-mixture"] as const;

/** One of {@linkcode DATASET_NAMES}. */
export type DatasetName = typeof DATASET_NAMES[number];

/** What to prepare. Unset options take the defaults listed in docs/datasets.md. */
export interface DatasetConfig {
  dataset: DatasetName;
  /** Number of examples N (balanced over the classes). */
  n: number;
  /**
   * The classes: a count C takes the first C (images: 2–10, default 10; teacher / mixture: default
   * 2); a list of an image dataset's labels takes those, in that order, relabelled 0 … C − 1 (e.g.
   * Fashion-MNIST's confusable T-shirt/top and Shirt, [0, 6]).
   */
  classes?: number | readonly number[];
  /** Seed of the subset (images) or of the generator (synthetic). Default 0. */
  seed?: number;
  /** Images: `train` (default) or `test`. */
  split?: "train" | "test";
  /** Images: average-pool k×k blocks (default 1 = none). */
  pool?: number;
  /** Images: divide bytes by 255 to lie in [0, 1] (default true). */
  scale?: boolean;
  /** Standardise every feature with the training pool's mean and std (default false). */
  standardise?: boolean;
  /** Teacher / mixture: input dimension (default 10). */
  dim?: number;
  /** Teacher: hidden width (default 32). */
  hidden?: number;
  /** Mixture: ‖μ_c‖ scale (default 3). */
  separation?: number;
}

/** The manifest written next to the arrays. */
export interface DatasetManifest {
  format: "eos-dataset/1";
  config:
    & Required<Pick<DatasetConfig, "dataset" | "n" | "seed">>
    & { classes: number }
    & Record<string, unknown>;
  source: Record<string, unknown>;
  arrays: Record<string, { file: string; dtype: string; shape: number[]; sha256: string }>;
}

/** A prepared dataset in memory. */
export interface PreparedDataset {
  inputs: Float32Array;
  labels: Int32Array;
  n: number;
  dim: number;
  classes: number;
  /** Images: the index of each row's example in its split (written as `source_indices.npy`). */
  indices?: Int32Array;
  /** Per-feature statistics used for standardisation, when it was asked for. */
  statistics?: { mean: Float64Array; std: Float64Array };
  manifest: Omit<DatasetManifest, "arrays">;
}

type Resolved = Required<Omit<DatasetConfig, "classes" | "dim" | "hidden" | "separation">> & {
  /** The number of classes C. */
  classes: number;
  /** Images: the source labels kept, in order; label classList[c] becomes c. */
  classList?: number[];
  dim?: number;
  hidden?: number;
  separation?: number;
};

/** Checks a configuration and fills in the defaults; errors name the field and allowed values. */
export function resolveConfig(config: DatasetConfig): Resolved {
  const { dataset } = config;
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw new Error(`dataset: "${dataset}" is not one of ${DATASET_NAMES.join(", ")}`);
  }
  const image = isImage(dataset);
  const { classes, classList } = resolveClasses(config, image);
  intIn("n", config.n, 1, Number.MAX_SAFE_INTEGER);
  intIn("seed", config.seed ?? 0, 0, 2 ** 32 - 1);
  const split = config.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new Error(`split: "${split}" is not one of train, test`);
  }
  if (!image) {
    for (const key of ["pool", "scale", "split"] as const) {
      if (config[key] !== undefined) {
        throw new Error(`${key}: applies to image datasets only, not ${dataset}`);
      }
    }
  }
  const resolved: Resolved = {
    dataset,
    n: config.n,
    classes,
    ...(image ? { classList: classList ?? Array.from({ length: classes }, (_, c) => c) } : {}),
    seed: config.seed ?? 0,
    split,
    pool: config.pool ?? 1,
    scale: config.scale ?? true,
    standardise: config.standardise ?? false,
  };
  resolveGeneratorOptions(config, resolved);
  return resolved;
}

const isImage = (dataset: string) => (IMAGE_DATASETS as readonly string[]).includes(dataset);

/**
 * The class count C, and for a list of an image dataset's labels the list; synthetic data takes
 * a list only as [0, …, C − 1], its first C classes.
 */
function resolveClasses(
  config: DatasetConfig,
  image: boolean,
): { classes: number; classList: number[] | undefined } {
  const { dataset } = config;
  let classList = Array.isArray(config.classes) ? [...config.classes] : undefined;
  let count = config.classes as number | undefined;
  if (classList && !image) {
    // Synthetic data has no labels to pick from: a list may only name its first C classes.
    if (!classList.every((label, i) => label === i)) {
      throw new Error(
        `classes: ${dataset} takes its first C classes [0, …, C − 1], got [${
          classList.join(", ")
        }]`,
      );
    }
    count = classList.length;
    classList = undefined;
  }
  classList?.forEach((label, i) => intIn(`classes[${i}]`, label, 0, 9));
  if (classList && new Set(classList).size !== classList.length) {
    throw new Error(`classes: each label at most once, got [${classList.join(", ")}]`);
  }
  const classes = classList?.length ?? count ?? (image ? 10 : 2);
  const maxClasses = dataset === "xor" ? 2 : image ? 10 : 1000;
  intIn("classes", classes, 2, maxClasses);
  return { classes, classList };
}

/** The generators' own options (teacher, mixture), checked, with their defaults. */
function resolveGeneratorOptions(config: DatasetConfig, resolved: Resolved): void {
  const { dataset } = config;
  if (dataset === "teacher" || dataset === "gaussian-mixture") {
    resolved.dim = config.dim ?? 10;
    intIn("dim", resolved.dim, 1, 100000);
  }
  if (dataset === "teacher") intIn("hidden", resolved.hidden = config.hidden ?? 32, 1, 100000);
  if (dataset === "gaussian-mixture") {
    resolved.separation = config.separation ?? 3;
    if (!(resolved.separation > 0)) {
      throw new Error(`separation: must be > 0, got ${resolved.separation}`);
    }
  }
}

/** A dataset's examples before standardisation, and where they came from. */
interface LoadedExamples {
  inputs: Float32Array;
  labels: Int32Array;
  dim: number;
  source: Record<string, unknown>;
  /** Images: each row's index in its split. */
  indices?: Int32Array;
  /** Images: the features of every training example of the chosen classes. */
  trainPool?: () => Promise<Float32Array>;
}

/** Prepares a dataset from its configuration (loading, subsetting and preprocessing). */
export async function prepareDataset(
  config: DatasetConfig,
  sources: SourceOptions = {},
): Promise<PreparedDataset> {
  const c = resolveConfig(config);
  const image = isImage(c.dataset);
  const loaded = image ? await loadImages(c, sources) : generate(c);
  const { inputs, dim } = loaded;
  let statistics: PreparedDataset["statistics"];
  if (c.standardise) {
    // Image statistics come from every training example of the chosen classes; synthetic data
    // has no larger pool, so its own N examples are the pool.
    statistics = featureStatistics(loaded.trainPool ? await loaded.trainPool() : inputs, dim);
    standardise(inputs, dim, statistics);
  }
  const { split: _split, pool: _pool, scale: _scale, ...common } = c;
  const recorded = image
    ? { ...c, standardisePool: c.standardise ? "training split, chosen classes" : null }
    : common;
  return {
    inputs,
    labels: loaded.labels,
    n: c.n,
    dim,
    classes: c.classes,
    indices: loaded.indices,
    statistics,
    manifest: { format: "eos-dataset/1", config: recorded, source: loaded.source },
  };
}

/** A balanced subset of an image split's chosen classes, pooled and scaled. */
async function loadImages(c: Resolved, sources: SourceOptions): Promise<LoadedExamples> {
  const pool = await loadImagePool(c.dataset as ImageDataset, c.split, sources);
  const kept = keptLabels(pool.labels, c.classList!);
  const indices = balancedSubset(kept, c.classes, c.n, c.seed);
  const shape = { channels: pool.channels, height: pool.height, width: pool.width };
  const features = (p: typeof pool, rows: number[]) => {
    const x = averagePool(p.images, rows, shape, c.pool);
    if (c.scale) { for (let i = 0; i < x.length; i++) x[i] /= 255; }
    return x;
  };
  const inputs = features(pool, indices);
  return {
    inputs,
    labels: Int32Array.from(indices, (i) => kept[i]),
    indices: Int32Array.from(indices),
    dim: inputs.length / c.n,
    source: {
      ...pool.source,
      split: c.split,
      examples: pool.count,
      layout: "channels × height × width",
    },
    trainPool: async () => {
      const train = c.split === "train"
        ? pool
        : await loadImagePool(c.dataset as ImageDataset, "train", sources);
      const trainKept = keptLabels(train.labels, c.classList!);
      const rows = Array.from(trainKept.keys()).filter((i) => trainKept[i] >= 0);
      return features(train, rows);
    },
  };
}

/** Synthetic data from its generator. */
function generate(c: Resolved): LoadedExamples {
  const data = c.dataset === "xor"
    ? xorData(c.n, c.seed)
    : c.dataset === "teacher"
    ? teacherData(c.n, { dim: c.dim!, hidden: c.hidden!, classes: c.classes, seed: c.seed })
    : gaussianMixtureData(c.n, {
      dim: c.dim!,
      classes: c.classes,
      separation: c.separation!,
      seed: c.seed,
    });
  const { inputs, labels, dim } = data;
  return { inputs, labels, dim, source: { kind: "synthetic", generator: c.dataset } };
}

/** Writes `inputs.npy`, `labels.npy` (and the standardisation statistics) and `manifest.json`. */
export async function writeDataset(dir: string, data: PreparedDataset): Promise<DatasetManifest> {
  const arrays: DatasetManifest["arrays"] = {};
  const write = async (
    name: string,
    array: Float32Array | Int32Array | Float64Array,
    shape: number[],
  ) => {
    const bytes = encodeNpy({ data: array, shape });
    const file = `${name}.npy`;
    await writeFileAtomic(join(dir, file), bytes);
    const dtype = array instanceof Float32Array
      ? "<f4"
      : array instanceof Int32Array
      ? "<i4"
      : "<f8";
    arrays[name] = { file, dtype, shape, sha256: digest(bytes) };
  };
  await write("inputs", data.inputs, [data.n, data.dim]);
  await write("labels", data.labels, [data.n]);
  if (data.indices) await write("source_indices", data.indices, [data.n]);
  if (data.statistics) {
    await write("feature_mean", data.statistics.mean, [data.dim]);
    await write("feature_std", data.statistics.std, [data.dim]);
  }
  const manifest: DatasetManifest = { ...data.manifest, arrays };
  await writeFileAtomic(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/** Each example's class among `classList` (its index there), or −1 where it is not kept. */
function keptLabels(labels: ArrayLike<number>, classList: readonly number[]): Int32Array {
  const index = new Int32Array(256).fill(-1);
  classList.forEach((label, c) => (index[label] = c));
  return Int32Array.from({ length: labels.length }, (_, i) => index[labels[i]]);
}

function intIn(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${field}: must be an integer in ${min}..${max}, got ${value}`);
  }
}
