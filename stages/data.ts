/**
 * Stage `data`: one prepared dataset (SCIENCE.md §7) as `.npy` arrays plus the dataset's own manifest.
 *
 * @module
 */
import { boolean, defineStage, integer, list, oneOf, upstream } from "../pipeline/mod.ts";
import { DATASET_NAMES, prepareDataset, writeDataset } from "../science/datasets/dataset.ts";

const IMAGES = ["fashion-mnist", "mnist", "cifar10"];

/** Prepares a balanced, seeded subset of size n of the given classes. */
export const dataStage = defineStage({
  name: "data",
  module: import.meta.url,
  params: {
    dataset: oneOf(DATASET_NAMES),
    n: integer({ min: 2 }),
    /** The dataset's labels kept, in order (relabelled 0 … C − 1; synthetic data: [0, …, C − 1]). */
    classes: list(integer({ min: 0, max: 9 })),
    seed: integer({ min: 0 }),
    pool: integer({ min: 1, default: 1 }),
    standardise: boolean({ default: false }),
  },
  // Image files come from the dataset's `source` instance in the store (stages/source.ts).
  inputs: (p): Record<string, ReturnType<typeof upstream>> =>
    IMAGES.includes(p.dataset) ? { files: upstream("source", { dataset: p.dataset }) } : {},
  // On a cluster: one core and 2G (a dataset is prepared in seconds to minutes);
  // 30 min bounds a hung job.
  resources: { cores: 1, memory: "2G", timeLimit: "0:30:00" },
  outputs: (p) => [
    "inputs.npy",
    "labels.npy",
    "manifest-dataset.json",
    ...(IMAGES.includes(p.dataset) ? ["source_indices.npy"] : []),
    ...(p.standardise ? ["feature_mean.npy", "feature_std.npy"] : []),
  ],
  run: async (ctx) => {
    const { dataset, n, classes, seed, pool, standardise } = ctx.params;
    const image = IMAGES.includes(dataset);
    const prepared = await prepareDataset(
      { dataset, n, classes, seed, standardise, ...(image ? { pool } : {}) },
      image ? { filesDir: ctx.input("files") } : {},
    );
    const dir = await Deno.makeTempDir();
    const manifest = await writeDataset(dir, prepared);
    for (const { file } of Object.values(manifest.arrays)) {
      await Deno.copyFile(`${dir}/${file}`, ctx.output(file));
    }
    await Deno.copyFile(`${dir}/manifest.json`, ctx.output("manifest-dataset.json"));
    const origin = image ? await sourceOf(ctx.input("files")) : null;
    ctx.record({ seed, dataset: manifest.config, source: { ...manifest.source, origin } });
    ctx.log(
      `${dataset}: ${prepared.n} examples × ${prepared.dim} features, classes [${
        classes.join(", ")
      }]`,
    );
  },
});

/** Where the `source` artifact's files came from (its manifest's record), for this manifest. */
async function sourceOf(dir: string): Promise<unknown> {
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  return manifest.recorded?.source ?? null;
}
