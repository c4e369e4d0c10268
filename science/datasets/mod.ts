/**
 * Datasets (SCIENCE.md §7): image sources (Fashion-MNIST, MNIST, CIFAR-10) verified by checksum,
 * synthetic data (XOR, a teacher network, Gaussian mixtures), and the preprocessing that turns one
 * configuration into float32 inputs, int32 labels and a manifest.
 *
 * @module
 */
export {
  DATASET_NAMES,
  type DatasetConfig,
  type DatasetManifest,
  type DatasetName,
  prepareDataset,
  type PreparedDataset,
  resolveConfig,
  writeDataset,
} from "./dataset.ts";
export { IMAGE_DATASETS, type ImageDataset } from "./sources.ts";
export { gaussianMixtureData, teacherData, xorData } from "./synthetic.ts";
