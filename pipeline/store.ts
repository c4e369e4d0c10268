/**
 * The artifact store under `artifacts/`: one directory per stage instance and cache key, with its
 * declared outputs and a `manifest.json` written last; temporary output directories renamed into
 * place only when complete; a pointer per instance to its latest artifact (to explain staleness).
 *
 * Layout: `<root>/<stage>/<key>/` artifacts, `<root>/<stage>/.tmp-*` work in progress,
 * `<root>/<stage>/.latest/<instance hash>.json` pointers, `<root>/<stage>/.lock-<key>` locks
 * (leases, with `.heartbeat-*` files: lock.ts), `<root>/<stage>/.work-<key>` work directories,
 * `<root>/<stage>/.slurm-<key>/` a SLURM job's files (slurm/job_files.ts), `<root>/.pipeline/` the
 * hash state and the stage logs.
 *
 * @module
 */
import { canonicalJson, hashFile, sha256Hex } from "./hash.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { HashState } from "./hash_state.ts";

/** One output file as recorded in a manifest. */
export interface OutputRecord {
  readonly hash: string;
  readonly size: number;
}

/** An input as recorded in a manifest: its content hash and where it came from. */
export interface InputRecord {
  readonly hash: string;
  /** The producing instance id, or the external path. */
  readonly from: string;
}

/**
 * The manifest of a complete artifact. Version 2 adds `manifestHash`, so that no field can change
 * unseen; a version 1 manifest is taken as corrupt (its artifact is rebuilt once).
 */
export interface Manifest {
  readonly version: 2;
  readonly stage: string;
  readonly instance: string;
  readonly key: string;
  readonly params: Record<string, unknown>;
  readonly code: {
    readonly hash: string;
    /** How the code was fingerprinted (absent in manifests that hashed source text). */
    readonly method?: string;
    readonly files: Record<string, string>;
    readonly dependencies: readonly string[];
  };
  readonly inputs: Record<string, InputRecord | readonly InputRecord[]>;
  readonly outputs: Record<string, OutputRecord>;
  /** Hash over the outputs' hashes: what downstream cache keys use (early cutoff). */
  readonly contentHash: string;
  /** Fields the stage recorded (backend, seed, …). */
  readonly recorded: Record<string, unknown>;
  readonly deno: { readonly deno: string; readonly v8: string; readonly typescript: string };
  readonly git: string | null;
  readonly host: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** SHA-256 of the canonical JSON of every other field: any later edit shows. */
  readonly manifestHash: string;
  /** Upstream instances that failed in the run (a `partialInputs` stage); part of the key. */
  readonly failures?: readonly { readonly id: string; readonly reason: string }[];
  /** Where it ran, when not a local subprocess (e.g. the SLURM job); not part of the key. */
  readonly executor?: Record<string, unknown>;
}

/** What a cache key is computed from. */
export interface KeySource {
  readonly stage: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly codeHash: string;
  readonly inputs: Readonly<Record<string, InputRecord | readonly InputRecord[]>>;
  /** Upstream failures a `partialInputs` stage ran with; absent or empty for every other key. */
  readonly failures?: readonly { readonly id: string; readonly reason: string }[];
}

/** An instance's cache key: 20 hex digits of the hash of its stage, parameters, code and inputs. */
export function cacheKey(k: KeySource): string {
  return sha256Hex(canonicalJson({
    stage: k.stage,
    params: k.params,
    code: k.codeHash,
    inputs: k.inputs,
    ...(k.failures?.length ? { failures: k.failures } : {}),
  })).slice(0, 20);
}

/** A manifest's self-hash: of its JSON form (as written to disk) without `manifestHash`. */
export function manifestSelfHash(m: Omit<Manifest, "manifestHash"> | Manifest): string {
  const { manifestHash: _, ...rest } = JSON.parse(JSON.stringify(m)) as Manifest;
  return sha256Hex(canonicalJson(rest));
}

/**
 * Null when a manifest agrees with itself and with where it lies, else what disagrees: its self-hash,
 * its key (recomputed from its stage, parameters, code hash and inputs) against its folder, its
 * content hash against its outputs' hashes.
 */
export function manifestProblem(m: Manifest, stage: string, key: string): string | null {
  if (m?.version !== 2) {
    return m?.version === 1
      ? "manifest from an older engine (version 1, no self-hash)"
      : "manifest corrupt: unknown version";
  }
  if (typeof m.outputs !== "object" || m.outputs === null) return "manifest corrupt: no outputs";
  try {
    if (manifestSelfHash(m) !== m.manifestHash) {
      return "manifest corrupt: a field was changed after it was written (manifestHash differs)";
    }
    const recomputed = cacheKey({
      stage: m.stage,
      params: m.params,
      codeHash: m.code?.hash,
      inputs: m.inputs,
      failures: m.failures,
    });
    if (m.stage !== stage || m.key !== key || recomputed !== key) {
      return "manifest corrupt: its key does not match its stage, parameters, code and inputs";
    }
    if (outputsContentHash(m.outputs) !== m.contentHash) {
      return "manifest corrupt: contentHash does not match its outputs";
    }
  } catch {
    return "manifest corrupt: malformed fields";
  }
  return null;
}

/** The outcome of checking an artifact. */
export type ArtifactCheck =
  | { readonly ok: true; readonly manifest: Manifest }
  | { readonly ok: false; readonly problem: string };

/** The content hash of a set of outputs (name → hash), independent of key order. */
export function outputsContentHash(outputs: Record<string, OutputRecord>): string {
  return sha256Hex(
    Object.keys(outputs).sort().map((k) => `${outputs[k].hash}  ${k}`).join("\n"),
  );
}

/** The operating system's words of a file-system error, without the call and path Deno adds. */
export function osReason(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return /^(.*?\(os error \d+\))/.exec(message)?.[1] ?? message;
}

/** Paths and operations of the artifact store rooted at one directory. */
export class ArtifactStore {
  constructor(readonly root: string) {}

  /** The final directory of an artifact. */
  artifactDir(stage: string, key: string): string {
    return `${this.root}/${stage}/${key}`;
  }

  /** The lock file guarding the production of an artifact. */
  lockPath(stage: string, key: string): string {
    return `${this.root}/${stage}/.lock-${key}`;
  }

  /** The log file of a stage run. */
  logPath(stage: string, key: string): string {
    return `${this.root}/.pipeline/logs/${stage}/${key}.log`;
  }

  /** The hash state database file. */
  get hashStatePath(): string {
    return `${this.root}/.pipeline/hash-state.json`;
  }

  /** Creates a fresh temporary output directory next to where the artifact will live. */
  /**
   * The instance's work directory for this key (e.g. training checkpoints): it survives a failed
   * or killed attempt, so the next attempt at the same key can resume, and is removed once the
   * artifact is committed. A different key (changed code, parameters or inputs) never sees it.
   */
  workDir(stage: string, key: string): string {
    return `${this.root}/${stage}/.work-${key}`;
  }

  async makeTempDir(stage: string, key: string): Promise<string> {
    await Deno.mkdir(`${this.root}/${stage}`, { recursive: true });
    return await Deno.makeTempDir({ dir: `${this.root}/${stage}`, prefix: `.tmp-${key}-` });
  }

  /**
   * Checks that an artifact is complete and intact: a manifest that agrees with itself and with
   * this key (manifestProblem), every declared output present (`declared`, or the manifest's own
   * list when null), and each hash equal to the manifest's (via the hash state, or rehashed from
   * scratch when `hashes` is null).
   */
  async check(
    stage: string,
    key: string,
    declared: readonly string[] | null,
    hashes: HashState | null,
  ): Promise<ArtifactCheck> {
    const dir = this.artifactDir(stage, key);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    } catch (error) {
      return {
        ok: false,
        problem: error instanceof Deno.errors.NotFound ? "missing" : "manifest corrupt",
      };
    }
    const problem = manifestProblem(manifest, stage, key);
    if (problem) return { ok: false, problem };
    for (const name of declared ?? Object.keys(manifest.outputs)) {
      const want = manifest.outputs[name];
      if (!want) return { ok: false, problem: `manifest lacks output ${name}` };
      let got;
      try {
        got = hashes
          ? await hashes.hashFile(`${dir}/${name}`)
          : { hash: await hashFile(`${dir}/${name}`) };
      } catch {
        return { ok: false, problem: `output missing: ${name}` };
      }
      if (got.hash !== want.hash) return { ok: false, problem: `output corrupt: ${name}` };
    }
    return { ok: true, manifest };
  }

  /**
   * Null when the store can be written (a file is created, written and removed in it), else the
   * operating system's reason (read-only file system, permission denied, no space left).
   */
  async unwritable(): Promise<string | null> {
    const probe = `${this.root}/.pipeline/.probe-${crypto.randomUUID()}`;
    try {
      await Deno.mkdir(`${this.root}/.pipeline`, { recursive: true });
      await Deno.writeTextFile(probe, "probe");
      await Deno.remove(probe);
      return null;
    } catch (error) {
      await Deno.remove(probe).catch(() => {});
      return osReason(error);
    }
  }

  /** Moves a finished temporary directory into place (the manifest is already inside it). */
  async commit(tempDir: string, stage: string, key: string): Promise<void> {
    const dir = this.artifactDir(stage, key);
    await this.discard(stage, key);
    await Deno.rename(tempDir, dir);
  }

  /** Removes an artifact (moved aside first, so that no half-deleted artifact is ever seen). */
  async discard(stage: string, key: string): Promise<void> {
    const dir = this.artifactDir(stage, key);
    const aside = `${this.root}/${stage}/.trash-${key}-${crypto.randomUUID().slice(0, 8)}`;
    try {
      await Deno.rename(dir, aside);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    await Deno.remove(aside, { recursive: true });
  }

  /** The key of the latest artifact an instance produced, if any. */
  async latestKey(stage: string, instanceId: string): Promise<string | null> {
    try {
      const data = JSON.parse(await Deno.readTextFile(this.#latestPath(stage, instanceId)));
      return typeof data.key === "string" ? data.key : null;
    } catch {
      return null;
    }
  }

  /** Records the latest artifact of an instance. */
  async setLatest(stage: string, instanceId: string, key: string): Promise<void> {
    await Deno.mkdir(`${this.root}/${stage}/.latest`, { recursive: true });
    await writeFileAtomic(
      this.#latestPath(stage, instanceId),
      JSON.stringify({ id: instanceId, key }),
    );
    // A stage's only instance (id = name) also gets a stable path: <root>/<stage>/latest.
    if (instanceId === stage) {
      const link = `${this.root}/${stage}/latest`, temp = `${link}.${crypto.randomUUID()}`;
      await Deno.symlink(key, temp);
      await Deno.rename(temp, link);
    }
  }

  /**
   * Makes the latest pointers of an instance (and `<stage>/latest` for a stage's only instance)
   * name `key` when they do not already; best effort, so a store that cannot be written still
   * serves a run with nothing to do.
   */
  async ensureLatest(stage: string, instanceId: string, key: string): Promise<void> {
    const link = instanceId === stage
      ? await Deno.readLink(`${this.root}/${stage}/latest`).catch(() => null)
      : key;
    if (link === key && await this.latestKey(stage, instanceId) === key) return;
    await this.setLatest(stage, instanceId, key).catch(() => {});
  }

  /** Removes `<root>/<stage>/latest` (best effort), when the stage's only instance failed. */
  async removeLatestLink(stage: string): Promise<void> {
    await Deno.remove(`${this.root}/${stage}/latest`).catch(() => {});
  }

  /** Reads a manifest without checking outputs (for explaining what changed). */
  async readManifest(stage: string, key: string): Promise<Manifest | null> {
    try {
      return JSON.parse(await Deno.readTextFile(`${this.artifactDir(stage, key)}/manifest.json`));
    } catch {
      return null;
    }
  }

  /** Every (stage, key) artifact directory present, complete or not (for gc and verify). */
  async list(): Promise<{ stage: string; key: string }[]> {
    const found: { stage: string; key: string }[] = [];
    for await (const s of readDirOrEmpty(this.root)) {
      if (!s.isDirectory || s.name.startsWith(".")) continue;
      for await (const k of readDirOrEmpty(`${this.root}/${s.name}`)) {
        if (k.isDirectory && !k.name.startsWith(".")) found.push({ stage: s.name, key: k.name });
      }
    }
    return found.sort((a, b) =>
      a.stage === b.stage ? (a.key < b.key ? -1 : 1) : a.stage < b.stage ? -1 : 1
    );
  }

  #latestPath(stage: string, instanceId: string): string {
    return `${this.root}/${stage}/.latest/${sha256Hex(instanceId).slice(0, 24)}.json`;
  }
}

async function* readDirOrEmpty(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
