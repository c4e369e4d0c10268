/**
 * The checks of a profile that need to know the data and the model: sizes against what the chosen
 * classes of a dataset hold, pooling against the image size, classes against the dataset, the
 * network's size against the memory bound, and the lists a sweep needs (non-empty, no repeats).
 * Each throws a FieldError naming the field, before any work.
 *
 * @module
 */
import {
  classRange,
  IMAGE_SHAPES,
  inputDimension,
  isImageDataset,
  largestBalancedSize,
  TRAIN_CLASS_COUNTS,
} from "../science/datasets/limits.ts";
import { networkSizeProblem } from "../science/model/size_limit.ts";
import { FieldError } from "./_config_file.ts";
import type { DataChoice, ModelChoice, Profile } from "./profiles.ts";

/** Seeds are 32-bit: the RNG takes its seed as an unsigned 32-bit integer (util/rng.ts). */
const MAX_SEED = 2 ** 32 - 1;

/** Every data- and model-aware check of a merged profile. */
export function checkDataAndModels(p: Profile): void {
  if (!(p.snapshotLimitMB >= 0)) {
    throw new FieldError(
      "snapshotLimitMB",
      `must be ≥ 0 (MiB; 0 keeps no θ snapshots), got ${p.snapshotLimitMB}`,
    );
  }
  nonEmpty("showcases", p.showcases, "claims 1–3 need a showcase");
  for (const [i, s] of p.showcases.entries()) {
    const at = `showcases[${i}]`;
    checkData(`${at}.data`, s.data);
    checkSizes(`${at}.data.n`, [s.data.n], s.data, `${at}.data`);
    checkSeed(`${at}.data.seed`, s.data.seed);
    checkSeed(`${at}.initSeed`, s.initSeed);
    checkModel(`${at}.model`, s.model, s.data);
    nonEmpty(`${at}.gdSharpnessFractions`, s.gdSharpnessFractions, "claim 1 needs a GD run");
    noRepeats(`${at}.gdSharpnessFractions`, s.gdSharpnessFractions);
    checkStop(`${at}.stop`, s.stop);
  }
  nonEmpty("sweep.configs", p.sweep.configs, "the power law needs a configuration");
  nonEmpty("sweep.seeds", p.sweep.seeds, "every size needs at least one run");
  noRepeats("sweep.seeds", p.sweep.seeds);
  noRepeats("sweep.sizes", p.sweep.sizes);
  p.sweep.seeds.forEach((seed) => checkSeed("sweep.seeds", seed));
  checkStop("sweep.stop", p.sweep.stop);
  for (const [i, c] of p.sweep.configs.entries()) {
    const at = `sweep.configs[${i}]`;
    if (c.name.startsWith("showcase-")) {
      // The showcases' runs are the configurations `showcase-<name>`.
      throw new FieldError(`${at}.name`, `must not start with "showcase-", got "${c.name}"`);
    }
    if (typeof c.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(c.name)) {
      throw new FieldError(
        `${at}.name`,
        `must be a name of letters, digits and _ . + - (it names folders and ids), got ${
          JSON.stringify(c.name)
        }`,
      );
    }
    checkData(`${at}.data`, c.data);
    checkSizes("sweep.sizes", p.sweep.sizes, c.data, `${at} (${c.name})`);
    checkModel(`${at}.model`, c.model, c.data);
  }
}

/** Classes against the dataset, pooling against the image size. */
function checkData(at: string, d: DataChoice): void {
  checkClasses(`${at}.classes`, d);
  if (!isImageDataset(d.dataset)) {
    if (d.pool !== 1) {
      throw new FieldError(
        `${at}.pool`,
        `${d.dataset} has no image to pool; must be 1, got ${d.pool}`,
      );
    }
    return;
  }
  const size = IMAGE_SHAPES[d.dataset].height;
  if (!Number.isSafeInteger(d.pool) || d.pool < 1 || size % d.pool !== 0) {
    const divisors = Array.from({ length: size }, (_, k) => k + 1).filter((k) => size % k === 0);
    throw new FieldError(
      `${at}.pool`,
      `must divide ${d.dataset}'s ${size}×${size} images (one of ${
        divisors.join(", ")
      }), got ${d.pool}`,
    );
  }
}

/**
 * The labels kept: distinct labels of the dataset, as many as it allows; synthetic data takes its
 * first C classes, [0, …, C − 1], since it has no labels to pick from.
 */
function checkClasses(field: string, d: DataChoice): void {
  const [fewest, most] = classRange(d.dataset);
  const got = JSON.stringify(d.classes);
  const count = fewest === most ? `exactly ${fewest}` : `${fewest} to ${most}`;
  if (d.classes.length < fewest || d.classes.length > most) {
    throw new FieldError(field, `${d.dataset} takes ${count} labels, got ${got}`);
  }
  if (!d.classes.every((label) => Number.isSafeInteger(label) && label >= 0 && label < 10)) {
    throw new FieldError(field, `labels are integers in 0..9, got ${got}`);
  }
  if (new Set(d.classes).size !== d.classes.length) {
    throw new FieldError(field, `each label at most once, got ${got}`);
  }
  if (!isImageDataset(d.dataset) && !d.classes.every((label, i) => label === i)) {
    throw new FieldError(field, `${d.dataset} takes its first C classes [0, …, C − 1], got ${got}`);
  }
}

/** Every size at least one example per class, and no more than the training split holds. */
function checkSizes(field: string, sizes: readonly number[], d: DataChoice, what: string): void {
  const C = d.classes.length;
  // The kept classes' counts in the order they are kept (relabelled 0 … C − 1).
  const counts = isImageDataset(d.dataset)
    ? d.classes.map((label) =>
      TRAIN_CLASS_COUNTS[d.dataset as keyof typeof TRAIN_CLASS_COUNTS][label]
    )
    : null;
  const most = counts ? largestBalancedSize(counts, C) : Number.MAX_SAFE_INTEGER;
  for (const n of sizes) {
    if (n < C) {
      throw new FieldError(
        field,
        `${what} has ${C} classes, each needing at least one example; got N = ${n}`,
      );
    }
    if (n > most) {
      throw new FieldError(
        field,
        `${what} draws a balanced subset of ${d.dataset}'s classes [${d.classes.join(", ")}], ` +
          `whose training split holds [${counts!.join(", ")}] examples: at most N = ${most}, ` +
          `got ${n}`,
      );
    }
  }
}

/** Hidden widths: at least one layer, and a network within the memory bound. */
function checkModel(at: string, m: ModelChoice, d: DataChoice): void {
  if (m.hidden.length === 0) {
    throw new FieldError(
      `${at}.hidden`,
      "must list at least one hidden width (the alignment is over layers), got []",
    );
  }
  for (const w of m.hidden) {
    if (!Number.isSafeInteger(w) || w < 1) {
      throw new FieldError(`${at}.hidden`, `must hold integers ≥ 1, got ${w}`);
    }
  }
  const problem = networkSizeProblem([
    inputDimension(d.dataset, d.pool),
    ...m.hidden,
    d.classes.length,
  ]);
  if (problem) throw new FieldError(`${at}.hidden`, problem);
}

function checkSeed(field: string, seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new FieldError(field, `seeds are integers in 0..${MAX_SEED}, got ${seed}`);
  }
}

function checkStop(at: string, stop: Profile["sweep"]["stop"]): void {
  if (!(stop.lossBelow >= 0)) {
    throw new FieldError(`${at}.lossBelow`, `must be ≥ 0, got ${stop.lossBelow}`);
  }
  if (!Number.isSafeInteger(stop.maxSteps) || stop.maxSteps < 1) {
    throw new FieldError(`${at}.maxSteps`, `must be an integer ≥ 1, got ${stop.maxSteps}`);
  }
  if (!(stop.maxTime > 0)) {
    throw new FieldError(`${at}.maxTime`, `must be > 0, got ${stop.maxTime}`);
  }
}

function nonEmpty(field: string, list: readonly unknown[], why: string): void {
  if (list.length === 0) throw new FieldError(field, `must not be empty (${why}), got []`);
}

function noRepeats(field: string, list: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of list) {
    if (seen.has(x)) throw new FieldError(field, `${x} appears twice, got ${JSON.stringify(list)}`);
    seen.add(x);
  }
}
