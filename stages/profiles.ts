/**
 * Profiles: every parameter of the reproduction, in one place. `ci`, `quick` and `paper` share
 * the science and differ only in these numbers; a user's JSON or YAML file overrides any of them
 * (`--config FILE`, optionally `"extends": "quick"`), and is validated before any work.
 *
 * @module
 */
import { DATASET_NAMES } from "../science/datasets/dataset.ts";
import { ACTIVATIONS } from "../science/model/layout.ts";
import { LOSS_KINDS } from "../science/model/loss.ts";
import { BACKEND_NAMES } from "../science/model/backend.ts";
import { type StageResources, validateResources } from "../pipeline/mod.ts";
import { FieldError, readConfigFile } from "./_config_file.ts";
import { checkDataAndModels } from "./_profile_checks.ts";

/** The data of one configuration (SCIENCE.md §7); the size N and the seed come from the sweep. */
export interface DataChoice {
  dataset: typeof DATASET_NAMES[number];
  /** The dataset's labels kept, in order, relabelled 0 … C − 1 (synthetic data: [0, …, C − 1]). */
  classes: number[];
  /** Average-pool k×k blocks of the images (1 = none). */
  pool: number;
  standardise: boolean;
}

/** The network and loss of one configuration (SCIENCE.md §1). */
export interface ModelChoice {
  hidden: number[];
  activation: typeof ACTIVATIONS[number];
  loss: typeof LOSS_KINDS[number];
}

/** When a training run ends (the report says which rule ended it). */
export interface StopChoice {
  lossBelow: number;
  maxSteps: number;
  maxTime: number;
}

/** Claims 1–3: one dataset, one init, every solver; its runs form `showcase-<name>`. */
export interface ShowcaseChoice {
  /** Letters, digits and "-"; unique in the profile (figures are named F1-<name> …). */
  name: string;
  data: DataChoice & { n: number; seed: number };
  model: ModelChoice;
  initSeed: number;
  /** Exponential Euler's largest step. */
  etaMax: number;
  /** GD step sizes, as fractions f with 2/η = f · (EE's peak sharpness): f < 1 enters EoS. */
  gdSharpnessFractions: number[];
  /** The RK4 flow reference's largest step, and its end time (it is the costliest run). */
  flowDtMax: number;
  flowMaxTime: number;
  flowMaxSteps: number;
  stop: StopChoice;
  /** Steps between full measurements (EE: the Gauss–Newton split and the alignment too). */
  measureEvery: number;
  /**
   * GD runs: steps between cheap sharpness-only measurements, so that the edge-of-stability
   * window holds enough of them (SCIENCE.md §6.1 asks for ≥ 10).
   */
  gdSharpnessEvery: number;
}

/** Claim 4: final alignment against dataset size, per configuration. */
export interface SweepChoice {
  configs: { name: string; data: DataChoice; model: ModelChoice }[];
  sizes: number[];
  seeds: number[];
  etaMax: number;
  stop: StopChoice;
}

/** Every parameter of a reproduction. */
export interface Profile {
  name: string;
  backend: typeof BACKEND_NAMES[number];
  /** θ snapshots at every full measurement of a run whose snapshots fit in this many MiB. */
  snapshotLimitMB: number;
  /** One or more showcase configurations, each judged on claims 1–3. */
  showcases: ShowcaseChoice[];
  sweep: SweepChoice;
  /**
   * Per stage name, what its jobs ask of a batch system (`--executor slurm`) over what the stage
   * declares; never part of a result.
   */
  resources: Record<string, Partial<StageResources>>;
}

/**
 * Real data, by the principles of SCIENCE.md §6a and §8 (fixed before any of these results were
 * seen): Cohen et al.'s preprocessing (bytes scaled to [0, 1], then every feature standardised
 * with the training pool's statistics), little pooling (2×2 at quick scale, for the budget; none
 * at paper scale), and confusable class pairs at quick scale (Fashion-MNIST's T-shirt/top vs
 * Shirt, MNIST's 4 vs 9: hard enough that training moves the alignment, and k = 2 keeps EE's
 * eigen-solve at three pairs).
 */
const fashionPair: DataChoice = {
  dataset: "fashion-mnist",
  classes: [0, 6],
  pool: 2,
  standardise: true,
};
const mnistPair: DataChoice = { ...fashionPair, dataset: "mnist", classes: [4, 9] };
/** The authors' depth (three hidden ELU layers) at a laptop's width. */
const eluMse: ModelChoice = { hidden: [64, 64, 64], activation: "elu", loss: "mse" };
const eluCrossEntropy: ModelChoice = { ...eluMse, loss: "cross_entropy" };
/** The authors' own example (SCIENCE.md §7): XOR in the unit square, 128 points. */
const xor: DataChoice & { n: number; seed: number } = {
  dataset: "xor",
  classes: [0, 1],
  pool: 1,
  standardise: false,
  n: 128,
  seed: 0,
};
/** The authors' stopping loss ε and EE step cap η_max, for every real-data run. */
const AUTHORS_LOSS = 0.01, AUTHORS_ETA_MAX = 0.01;

/**
 * A real-data showcase: the sweep's data and network at one N, every solver from one init. Under
 * squared error EE's steps are short (1/|λ₃| ≈ 0.004 against η_max = 0.01), so its runs take more
 * steps and are measured less often than under cross-entropy; `maxSteps` caps a run far beyond
 * that (the loss or the time ends it) and bounds its θ snapshots to the profile's limit.
 */
function realShowcase(
  name: string,
  data: DataChoice,
  n: number,
  model: ModelChoice,
  cadence: { measureEvery: number; maxSteps: number },
): ShowcaseChoice {
  return {
    name,
    data: { ...data, n, seed: 0 },
    model,
    initSeed: 0,
    etaMax: AUTHORS_ETA_MAX,
    gdSharpnessFractions: [0.6, 0.8],
    flowDtMax: AUTHORS_ETA_MAX,
    flowMaxTime: 500,
    flowMaxSteps: cadence.maxSteps,
    stop: { lossBelow: AUTHORS_LOSS, maxSteps: cadence.maxSteps, maxTime: 500 },
    measureEvery: cadence.measureEvery,
    gdSharpnessEvery: 5,
  };
}

/** The four quick-scale sweep configurations: Fashion-MNIST and MNIST × MSE and cross-entropy. */
const pairConfigs = [
  { name: "fashion-mnist-mse", data: fashionPair, model: eluMse },
  { name: "fashion-mnist-cross-entropy", data: fashionPair, model: eluCrossEntropy },
  { name: "mnist-mse", data: mnistPair, model: eluMse },
  { name: "mnist-cross-entropy", data: mnistPair, model: eluCrossEntropy },
];

const ci: Profile = {
  name: "ci",
  backend: "wasm",
  snapshotLimitMB: 64,
  showcases: [{
    name: "xor",
    data: xor,
    // The authors' example at a quarter of its width and 5× its step, to fit a CI budget.
    model: { hidden: [32, 32, 32], activation: "elu", loss: "cross_entropy" },
    initSeed: 0,
    etaMax: 0.05,
    gdSharpnessFractions: [0.6, 0.8],
    flowDtMax: 0.05,
    flowMaxTime: 60,
    flowMaxSteps: 5000,
    stop: { lossBelow: 0.1, maxSteps: 3000, maxTime: 60 },
    measureEvery: 20,
    gdSharpnessEvery: 5,
  }],
  sweep: {
    // The quick sweep's first configuration at CI scale: 4×4 pooling (49 inputs), width 32, and
    // the smallest design claim 4 can judge (5 sizes over 16×, 3 seeds).
    configs: [{
      name: "fashion-mnist-cross-entropy",
      data: { ...fashionPair, pool: 4 },
      model: { ...eluCrossEntropy, hidden: [32, 32, 32] },
    }],
    sizes: [16, 32, 64, 128, 256],
    seeds: [0, 1, 2],
    etaMax: AUTHORS_ETA_MAX,
    stop: { lossBelow: AUTHORS_LOSS, maxSteps: 5000, maxTime: 200 },
  },
  // One core per run, so that a 2-core CI machine (or a one-node test cluster) runs two at once.
  resources: { train: { cores: 1, timeLimit: "1:00:00" } },
};

const quick: Profile = {
  name: "quick",
  backend: "wasm",
  snapshotLimitMB: 64,
  showcases: [
    {
      ...ci.showcases[0],
      // The authors' example as they give it: 2-128-128-128-2 ELU, cross-entropy, η_max = 0.01.
      model: { hidden: [128, 128, 128], activation: "elu", loss: "cross_entropy" },
      etaMax: 0.01,
      flowDtMax: 0.01,
      flowMaxTime: 100,
      flowMaxSteps: 20000,
      stop: { lossBelow: 0.1, maxSteps: 12000, maxTime: 100 },
      measureEvery: 50,
    },
    // Cohen et al.'s EoS setting (a subset of real images, MSE and cross-entropy), here the
    // Fashion-MNIST sweep's data and network at its largest N.
    realShowcase("fashion-mnist-mse", fashionPair, 512, eluMse, {
      measureEvery: 100,
      maxSteps: 50000,
    }),
    realShowcase("fashion-mnist-cross-entropy", fashionPair, 512, eluCrossEntropy, {
      measureEvery: 50,
      maxSteps: 25000,
    }),
  ],
  sweep: {
    configs: pairConfigs,
    sizes: [32, 64, 128, 256, 512],
    seeds: [0, 1, 2],
    etaMax: AUTHORS_ETA_MAX,
    stop: { lossBelow: AUTHORS_LOSS, maxSteps: 50000, maxTime: 500 },
  },
  resources: {},
};

/** Paper scale: the authors' benchmark (10 classes, full-size standardised images, 3 × 512). */
const paperData: DataChoice = {
  dataset: "fashion-mnist",
  classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  pool: 1,
  standardise: true,
};
const paperModel: ModelChoice = { hidden: [512, 512, 512], activation: "elu", loss: "mse" };
/** θ of the paper's networks is 8 MB (2.1 M parameters): snapshots are off unless the limit rises. */
const paperCadence = { measureEvery: 100, maxSteps: 100000 };

const paper: Profile = {
  name: "paper",
  backend: "auto",
  snapshotLimitMB: 64,
  showcases: [
    realShowcase("fashion-mnist-mse", paperData, 5000, paperModel, paperCadence),
    realShowcase("fashion-mnist-cross-entropy", paperData, 5000, {
      ...paperModel,
      loss: "cross_entropy",
    }, paperCadence),
  ].map((s) => ({ ...s, gdSharpnessFractions: [0.5, 0.7, 0.85] })),
  sweep: {
    configs: ["fashion-mnist", "mnist", "cifar10"].flatMap((dataset) =>
      (["mse", "cross_entropy"] as const).map((loss) => ({
        name: `${dataset}-${loss.replace("_", "-")}`,
        data: { ...paperData, dataset: dataset as DataChoice["dataset"] },
        model: { ...paperModel, loss },
      }))
    ),
    sizes: [250, 500, 1000, 2000, 4000, 8000],
    seeds: [0, 1, 2],
    etaMax: AUTHORS_ETA_MAX,
    stop: { lossBelow: AUTHORS_LOSS, maxSteps: 100000, maxTime: 2000 },
  },
  // 3×512 networks on up to 8000 images: the eigen-solver's helper threads use 4 cores.
  resources: { train: { cores: 4, memory: "8G", timeLimit: "2-00:00:00" } },
};

/** The built-in profiles; `quick` is the default of `deno task pipeline`. */
export const PROFILES: Readonly<Record<string, Profile>> = { ci, quick, paper };

/** The profile used when none is named. */
export const DEFAULT_PROFILE = "quick";

/** Allowed values of the fields that take one of a fixed set, by field name. */
const CHOICES: Record<string, readonly unknown[]> = {
  dataset: DATASET_NAMES,
  activation: ACTIVATIONS,
  loss: LOSS_KINDS,
  backend: BACKEND_NAMES,
  standardise: [true, false],
};

/**
 * The profile to run: a built-in one by name, overridden by a user file when given.
 * Every error names the file (with line and column where it has them), the field (as a dotted
 * path) and what it allows.
 */
export async function loadProfile(name?: string, configFile?: string): Promise<Profile> {
  const file = configFile ? await readConfigFile(configFile) : null;
  let baseName = name ?? DEFAULT_PROFILE;
  try {
    const overrides = file ? fileOverrides(file.value) : {};
    const { extends: base, resources, ...rest } = overrides as {
      extends?: unknown;
      resources?: unknown;
    };
    if (base !== undefined) baseName = extendedProfile(base, name);
    const profile = PROFILES[baseName];
    if (!profile) {
      const names = Object.keys(PROFILES).join(", ");
      throw new Error(`--profile: "${baseName}" is not one of ${names}`);
    }
    const merged = overlay(profile, rest, "") as Profile;
    if (resources !== undefined) merged.resources = overlayResources(profile.resources, resources);
    if (file) merged.name = `${profile.name}+${file.path.split("/").at(-1)}`;
    validateProfile(merged);
    return merged;
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    throw new Error(`${file ? file.where(error.field) : `profile ${baseName}`}: ${error.message}`);
  }
}

/** A file's `resources` (stage → fields) over the profile's; the stage names are checked later. */
function overlayResources(base: Profile["resources"], patch: unknown): Profile["resources"] {
  if (!isRecord(patch)) {
    throw new FieldError("resources", `must map stage names to resources, got ${show(patch)}`);
  }
  const out = { ...base };
  for (const [stage, r] of Object.entries(patch)) {
    try {
      out[stage] = { ...base[stage], ...validateResources(`resources.${stage}`, r as never) };
    } catch (error) {
      // "resources.train.cores: must be …": the field, then the problem.
      const [field, ...problem] = (error as Error).message.split(": ");
      throw new FieldError(field, problem.join(": "));
    }
  }
  return out;
}

/** The top level of a user file: an object of overrides. */
function fileOverrides(value: unknown): Record<string, unknown> {
  if (isRecord(value)) return value;
  const allowed = `extends, ${Object.keys(PROFILES.ci).filter((k) => k !== "name").join(", ")}`;
  const got = value === null ? "an empty file" : Array.isArray(value) ? "a list" : typeof value;
  throw new FieldError("(top level)", `must be a mapping of fields (${allowed}), got ${got}`);
}

/** The profile an `extends` field names, which must agree with `--profile` when both are given. */
function extendedProfile(base: unknown, cliName: string | undefined): string {
  const names = Object.keys(PROFILES).join(", ");
  if (typeof base !== "string" || !Object.hasOwn(PROFILES, base)) {
    throw new FieldError("extends", `must name a profile (one of ${names}), got ${show(base)}`);
  }
  if (cliName !== undefined && cliName !== base) {
    throw new FieldError(
      "extends",
      `"${base}" contradicts --profile ${cliName}; give one of them, got both`,
    );
  }
  return base;
}

function show(v: unknown): string {
  return v === undefined ? "nothing" : JSON.stringify(v) ?? String(v);
}

/** Deep-merges `patch` into `base`, refusing keys `base` does not have and values of another type. */
function overlay(base: unknown, patch: unknown, path: string): unknown {
  const kind = (v: unknown) => Array.isArray(v) ? "list" : typeof v;
  if (patch === null || patch === undefined) {
    const what = isRecord(base)
      ? `its fields (${Object.keys(base).join(", ")})`
      : `a ${kind(base)}`;
    throw new FieldError(path, `is empty; give ${what} or leave the line out, got nothing`);
  }
  if (isRecord(base) && isRecord(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      const at = path ? `${path}.${key}` : key;
      if (!(key in base)) {
        throw new FieldError(at, `unknown field; allowed: ${Object.keys(base).join(", ")}`);
      }
      out[key] = overlay(base[key], value, at);
    }
    return out;
  }
  if (kind(base) !== kind(patch) || (isRecord(base) && !isRecord(patch))) {
    throw new FieldError(
      path,
      `must be a ${isRecord(base) ? "mapping" : kind(base)}, got ${
        JSON.stringify(patch) ?? String(patch)
      }`,
    );
  }
  if (Array.isArray(base) && Array.isArray(patch) && base.length > 0) {
    // A replaced list keeps the element shape of the built-in one (configs are objects).
    return patch.map((item, i) => overlay(base[0], item, `${path}[${i}]`));
  }
  return patch;
}

/** Range and choice checks that the structure alone does not catch. */
function validateProfile(p: Profile): void {
  walk(p, "");
  const positive = (path: string, v: number) => {
    if (!(v > 0)) throw new FieldError(path, `must be > 0, got ${v}`);
  };
  const counts = (path: string, xs: number[], min: number) => {
    for (const x of xs) {
      if (!Number.isSafeInteger(x) || x < min) {
        throw new FieldError(path, `must hold integers ≥ ${min}, got ${x}`);
      }
    }
  };
  for (const [i, s] of p.showcases.entries()) {
    const at = `showcases[${i}]`;
    if (!/^[A-Za-z0-9-]+$/.test(s.name)) {
      throw new FieldError(`${at}.name`, `must be letters, digits and "-", got "${s.name}"`);
    }
    if (p.showcases.findIndex((o) => o.name === s.name) !== i) {
      throw new FieldError(`${at}.name`, `"${s.name}" is used twice`);
    }
    positive(`${at}.etaMax`, s.etaMax);
    positive(`${at}.flowDtMax`, s.flowDtMax);
    positive(`${at}.flowMaxTime`, s.flowMaxTime);
    counts(`${at}.data.n`, [s.data.n], 2);
    counts(`${at}.measureEvery`, [s.measureEvery], 1);
    counts(`${at}.flowMaxSteps`, [s.flowMaxSteps], 1);
    counts(`${at}.gdSharpnessEvery`, [s.gdSharpnessEvery], 0);
    for (const f of s.gdSharpnessFractions) {
      if (!(f > 0 && f < 1)) {
        throw new FieldError(`${at}.gdSharpnessFractions`, `each must lie in (0, 1), got ${f}`);
      }
    }
  }
  positive("sweep.etaMax", p.sweep.etaMax);
  counts("sweep.sizes", p.sweep.sizes, 2);
  counts("sweep.seeds", p.sweep.seeds, 0);
  if (new Set(p.sweep.sizes).size < 3) {
    throw new FieldError(
      "sweep.sizes",
      `a power law needs at least 3 distinct sizes, got ${JSON.stringify(p.sweep.sizes)}`,
    );
  }
  const names = p.sweep.configs.map((c) => c.name);
  if (new Set(names).size !== names.length) {
    throw new FieldError("sweep.configs", `names must differ, got ${JSON.stringify(names)}`);
  }
  for (const [i, c] of p.sweep.configs.entries()) {
    counts(`sweep.configs[${i}].model.hidden`, c.model.hidden, 1);
  }
  checkDataAndModels(p);
}

function walk(value: unknown, path: string): void {
  if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    return;
  }
  const field = path.split(".").at(-1)!;
  const allowed = CHOICES[field];
  if (allowed && !allowed.includes(value)) {
    throw new FieldError(path, `"${value}" is not one of ${allowed.join(", ")}`);
  }
  if (typeof value === "number" && !Number.isFinite(value) && !path.endsWith("maxTime")) {
    throw new FieldError(path, `must be a finite number, got ${value}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
