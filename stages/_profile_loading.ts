/**
 * Loading a profile: a built-in one by name, with a user's JSON or YAML file (`--config FILE`)
 * deep-merged over it, then validated before any work. Every error names the file (with line and
 * column where it has them), the field (as a dotted path) and what it allows.
 *
 * @module
 */
import { DATASET_NAMES } from "../science/datasets/dataset.ts";
import { ACTIVATIONS } from "../science/model/layout.ts";
import { LOSS_KINDS } from "../science/model/loss.ts";
import { BACKEND_NAMES } from "../science/model/backend.ts";
import { validateResources } from "../pipeline/mod.ts";
import { FieldError, readConfigFile } from "./_config_file.ts";
import { checkDataAndModels } from "./_profile_checks.ts";
import { DEFAULT_PROFILE, type Profile, PROFILES } from "./profiles.ts";

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
